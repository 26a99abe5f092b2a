"""The ZhizaoError hierarchy.

Domain code raises these; the edges (HTTP API, CLI) translate them into protocol answers
(Handle responseCodes, RFC 7807 problems, one CLI line + exit code). No HTTP codes live here.
"""

from __future__ import annotations

from collections.abc import Sequence


class ZhizaoError(Exception):
    """Base of every error zhizao raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConfigurationError(ZhizaoError):
    """A setting or command-line option is unusable."""


class StorageError(ZhizaoError):
    """The database could not be opened or migrated."""


# --- identifiers -------------------------------------------------------------------------


class IdentifierError(ZhizaoError):
    """Base of the identifier (Handle) domain errors."""


class MalformedRequest(IdentifierError):
    """The request itself is unusable: bad JSON, wrong content type, mismatched indexes."""


class InvalidHandle(IdentifierError):
    """The handle string is not a valid handle."""


class InvalidValue(IdentifierError):
    """A handle value (index, type, data, ttl, permissions, ...) is malformed."""


class HandleNotFound(IdentifierError):
    """No handle of that name exists."""


class HandleAlreadyExists(IdentifierError):
    """Creating a handle that exists, without overwrite."""


class ValueAlreadyExists(IdentifierError):
    """Adding a value at an index that is taken, without overwrite."""


class ValuesNotFound(IdentifierError):
    """The handle exists but none of the requested values do."""


class PrefixNotHomed(IdentifierError):
    """This node is not responsible for the handle's prefix."""


class PrefixReferral(PrefixNotHomed):
    """Not homed here, but this node knows which site serves the prefix (Handle RC 303).

    `values_json` is the JSON array of the site values to refer the client to; `urls` are the
    base URLs those sites offer, in order of preference.
    """

    def __init__(
        self, message: str, values_json: str, urls: Sequence[str], *, referral_handle: str = ""
    ) -> None:
        super().__init__(message)
        self.values_json = values_json
        self.urls = list(urls)
        self.referral_handle = referral_handle


class UpstreamUnavailable(IdentifierError):
    """A recursive resolution could not reach the responsible node, and nothing is cached."""


class ReferralLoop(IdentifierError):
    """Referrals went round in a circle or past the hop limit (Handle RC 6)."""


class AuthenticationNeeded(IdentifierError):
    """The operation needs an authenticated identity and none was given."""


class AuthenticationFailed(IdentifierError):
    """The credentials given do not verify."""


class InsufficientPermissions(IdentifierError):
    """The identity is an administrator of the handle, but lacks the needed permission."""


class InvalidAdmin(IdentifierError):
    """The identity is not an administrator of the handle at all."""


class OperationNotSupported(IdentifierError):
    """A well-formed request this node does not implement."""


# --- events (EPCIS) ----------------------------------------------------------------------


class EventsError(ZhizaoError):
    """Base of the EPCIS domain errors; `exception` is the standard's exception name and
    `index` the event's place in its document, when one event is at fault."""

    exception = "ImplementationException"

    def __init__(self, message: str, *, field: str | None = None, index: int | None = None) -> None:
        super().__init__(message, field=field)
        self.index = index


class EventValidationError(EventsError):
    """A capture document or event breaks the schema or a rule of the standard."""

    exception = "ValidationException"


class WrongCheckDigit(EventValidationError):
    """A GS1 key written as a Digital Link states a check digit that does not match;
    `value` is the identifier, so the caller can say where in the event it is written."""

    def __init__(self, value: str, message: str) -> None:
        super().__init__(message)
        self.value = value


class QueryParameterError(EventsError):
    """A query parameter is unknown, malformed or used against the rules."""

    exception = "QueryParameterException"


class QueryTooLarge(EventsError):
    """More events match than `maxEventCount` allows."""

    exception = "QueryTooLargeException"


class NoSuchResource(EventsError):
    """An event, capture job, named query or subscription that does not exist."""

    exception = "NoSuchNameException"


class ResourceAlreadyExists(EventsError):
    """An event with that eventID, or a named query with that name, is already stored."""

    exception = "ResourceAlreadyExistsException"


class CaptureLimitExceeded(EventsError):
    """More events, or more bytes, than one capture request may carry."""

    exception = "CaptureLimitExceededException"


class JobAlreadyFinished(EventsError):
    """A capture job another worker has finished meanwhile; its result stands."""


class SubscriptionControlsError(EventsError):
    """A subscription request that cannot be honoured (bad destination, schedule, ...)."""

    exception = "SubscriptionControlsException"


# --- trace -------------------------------------------------------------------------------


class TraceError(ZhizaoError):
    """A trace request that cannot be answered (bad time, unknown scope, ...)."""


class NotInGenealogy(TraceError):
    """The item appears in no genealogy event."""


# --- projects ----------------------------------------------------------------------------


class RowError(ZhizaoError):
    """An error that may concern one row of an imported file: `row` is the spreadsheet row
    (1-based, as a spreadsheet shows it) when it does."""

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None):
        super().__init__(message, field=field)
        self.row = row


class Rejected(RowError):
    """A file with bad rows: every problem, each naming its row; nothing was stored."""

    def __init__(self, problems: Sequence[RowError]) -> None:
        lines = [f"row {p.row}: {p.message}" if p.row else p.message for p in problems]
        super().__init__(f"{len(problems)} bad row(s), nothing imported:\n" + "\n".join(lines),
                         field=problems[0].field, row=problems[0].row)  # fmt: skip
        self.problems = list(problems)


class ProjectsError(RowError):
    """Base of the projects (investment promotion, cloud signing) domain errors."""


class InvalidProject(ProjectsError):
    """A project, signing event, stage change or funds entry breaks a rule."""


class ImportRejected(Rejected, InvalidProject):
    """A project spreadsheet with bad rows."""


class ProjectNotFound(ProjectsError):
    """No project, signing event, party or key of that id."""


class ProjectConflict(ProjectsError):
    """The thing exists already (a project id, a party's signature on a document)."""


class SignatureRejected(ProjectsError):
    """A signature that does not verify, or comes from an unregistered or revoked key."""


class AccessDenied(ProjectsError):
    """A role that may not do this, or a party acting for another."""


class TokenRequired(AccessDenied):
    """No API token, or one that is unknown or revoked."""


# --- stats -------------------------------------------------------------------------------


class StatsError(RowError):
    """Base of the statistics domain errors."""


class InvalidReport(StatsError):
    """A monthly report row, subject or KPI request that breaks a rule."""


class ReportRejected(Rejected, InvalidReport):
    """A monthly statistics report with bad rows."""


class StatsNotFound(StatsError):
    """No subject, indicator data or transformation of that id."""


class InvalidPeriod(StatsError):
    """A period text that is none of the forms the zone reports in."""
