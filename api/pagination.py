"""Cursor pagination in id order: stable while rows are added, and an index seek at any depth."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request):
        """A cursor we did not hand out is a bad request (400), not a missing page (DRF says 404)."""
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": ["Invalid cursor: pass the next or previous link as it came."]}) from None
