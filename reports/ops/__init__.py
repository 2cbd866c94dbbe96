"""Operations endpoints: liveness, readiness and Prometheus metrics (issue #13)."""
