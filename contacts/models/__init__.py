"""Organizations, their portal members and learners, bounce policy, lists, jobs and the clearance audit.

A package of modules by subject; every model is imported here, so ``from contacts.models import Learner``
and the migrations' ``contacts.models.EmailDomain`` / ``validate_time_zone`` keep working.
"""

from contacts.models.digests import DigestDelivery, DigestFrequency, DigestSubscription
from contacts.models.jobs import BulkClearJob, BulkClearJobStatus, JobProgress, LearnerImport, LearnerImportStatus
from contacts.models.learners import Clearance, EmailDomain, Learner, LearnerCounter, LearnerDayCounter, LearnerQuerySet
from contacts.models.lists import AutomationAction, AutomationRule, NeverSuppress, NeverSuppressQuerySet
from contacts.models.members import Invitation, MemberAction, MemberChange
from contacts.models.organizations import BouncePolicy, Membership, Organization, validate_time_zone
from contacts.models.preferences import UserPreference
from contacts.webhook_models import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "AutomationAction",
    "AutomationRule",
    "BouncePolicy",
    "BulkClearJob",
    "BulkClearJobStatus",
    "Clearance",
    "DigestDelivery",
    "DigestFrequency",
    "DigestSubscription",
    "EmailDomain",
    "Invitation",
    "JobProgress",
    "Learner",
    "LearnerCounter",
    "LearnerDayCounter",
    "LearnerImport",
    "LearnerImportStatus",
    "LearnerQuerySet",
    "MemberAction",
    "MemberChange",
    "Membership",
    "NeverSuppress",
    "NeverSuppressQuerySet",
    "Organization",
    "UserPreference",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
    "validate_time_zone",
]
