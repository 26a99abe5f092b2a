"""Projects as the bureau and the investors use them: every write checked, stored together
with its evidence entry in one transaction, and signatures verified before they are accepted."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from zhizao.errors import (
    AccessDenied,
    ImportRejected,
    InvalidProject,
    ProjectConflict,
    ProjectNotFound,
    ProjectsError,
    SignatureRejected,
    TokenRequired,
)
from zhizao.projects import evidence as ev
from zhizao.projects.access import BUREAU, ROLES, Caller, new_token, token_hash
from zhizao.projects.evidence import Report
from zhizao.projects.indicators import area_ranking, indicators, yi
from zhizao.projects.model import (
    Project,
    Stage,
    choice,
    day,
    project_from,
    project_from_json,
    signing_event_from,
)
from zhizao.projects.sheet import differences
from zhizao.projects.signing import Statement, check_public_key, document_hash, key_id, verifies
from zhizao.projects.stages import advance, advance_to, record_funds, record_output
from zhizao.stats.period import Period
from zhizao.storage import Store

SIDES = ("zone", "investor")


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ProjectService:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._all: tuple[int, list[Project]] | None = None  # (evidence version, projects)

    # --- reading ------------------------------------------------------------------------

    def project(self, project_id: str) -> Project:
        body = self.store.project_body(project_id)
        if body is None:
            raise ProjectNotFound(f"no project {project_id!r}", field="project")
        return project_from_json(body)

    def projects(self, signing_event: str | None = None) -> list[Project]:
        """Every project (of one signing event), in id order. Parsed once per evidence-log
        version: every project write is logged, in any worker, so a longer log means a
        change. The objects are shared between callers: read them, never change them."""
        version = self.version()
        if self._all is None or self._all[0] != version:
            self._all = (version, [project_from_json(b) for b in self.store.project_bodies()])
        return [p for p in self._all[1] if signing_event in (None, p.signing_event)]

    def signing_events(self) -> list[dict[str, Any]]:
        return self.store.signing_events()

    def signing_event(self, event_id: str) -> dict[str, Any]:
        event = self.store.signing_event(event_id)
        if event is None:
            raise ProjectNotFound(f"no signing event {event_id!r}", field="signingEvent")
        return event

    def report(self, period: Period, **filters: str | None) -> dict[str, Any]:
        """Indicators of the projects the filters (attributes of Project) keep; the area
        ranking is over all projects, since it compares the areas."""
        everything = self.projects()
        chosen = [p for p in everything
                  if all(getattr(p, k) == v for k, v in filters.items() if v)]  # fmt: skip
        out = indicators(chosen, period).to_json()
        out["areas"] = area_ranking(everything, period)
        return out

    # --- tokens -------------------------------------------------------------------------

    def issue_token(self, label: str, role: str, party: str | None = None) -> str:
        if role not in ROLES:
            raise InvalidProject(f"role must be one of {', '.join(ROLES)}", field="role")
        if role != BUREAU and not party:
            raise InvalidProject("an investor token needs its party", field="party")
        token, hashed = new_token()
        with self.store.transaction() as conn:
            self.store.add_token(conn, hashed, label, role, party, now_text())
            self._log(conn, Caller("cli", BUREAU), "token.issued", {"label": label, "role": role,
                      "party": party})  # fmt: skip
        return token

    def caller(self, token: str | None) -> Caller:
        if not token:
            raise TokenRequired(
                "this write needs an API token (Authorization: Bearer …)", field="Authorization"
            )
        found = self.store.token(token_hash(token))
        if found is None:
            raise TokenRequired("unknown or revoked API token", field="Authorization")
        return Caller(*found)

    # --- writes -------------------------------------------------------------------------

    def _log(self, conn: Any, caller: Caller, kind: str, data: dict[str, Any]) -> ev.Entry:
        return self.store.append_evidence(conn, now_text(), caller.actor, kind, data)

    def create_signing_event(self, fields: dict[str, Any], caller: Caller) -> dict[str, Any]:
        caller.require_bureau("create signing events")
        event = signing_event_from(fields)
        with self.store.transaction() as conn:
            if not self.store.add_signing_event(conn, event):
                raise ProjectConflict(f"signing event {event.id} exists", field="id")
            self._log(conn, caller, "signing_event.created", event.to_json())
        return event.to_json()

    def create_projects(self, rows: list[dict[str, Any]], caller: Caller) -> list[Project]:
        """Create every project or none; a problem names its place in `rows` (1-based)."""
        numbered = list(enumerate(rows, start=1))
        return self.import_rows(numbered, caller, allow_unchanged=False)[0]

    def import_rows(
        self,
        numbered: list[tuple[int, dict[str, Any]]],
        caller: Caller,
        *,
        allow_unchanged: bool = True,
    ) -> tuple[list[Project], int]:
        """(created, unchanged) from numbered rows, all or nothing. A row for a stored project
        must match it (a re-import); one that differs is an altered row and an error. Every
        bad row is reported at once (ImportRejected)."""
        caller.require_bureau("create projects")
        problems: list[ProjectsError] = []
        new: list[tuple[int, Project]] = []
        unchanged = 0
        seen: dict[str, int] = {}
        for row, fields in numbered:
            try:
                project = self._checked_new(fields, row)
            except ProjectsError as exc:
                problems.append(exc)
                continue
            if project.id in seen:
                again = f"project id {project.id} repeats row {seen[project.id]}"
                problems.append(ProjectConflict(again, field="id", row=row))
                continue
            seen[project.id] = row
            stored = self.store.project_body(project.id)
            if stored is None:
                new.append((row, project))
            elif not allow_unchanged:
                problems.append(ProjectConflict(f"project {project.id} exists", field="id",
                                                row=row))  # fmt: skip
            elif changed := differences(project_from_json(stored), project):
                problems.append(InvalidProject(
                    f"project {project.id} differs from the stored one in {', '.join(changed)}"
                    " (change it through its stage, funds or an edit, not a re-import)",
                    field=changed[0], row=row))  # fmt: skip
            else:
                unchanged += 1
        if problems:
            if len(problems) == 1:
                raise problems[0]
            raise ImportRejected(problems)
        with self.store.transaction() as conn:
            for row, p in new:
                if not self.store.put_project(conn, p, new=True):
                    raise ProjectConflict(f"project {p.id} exists", field="id", row=row)
                self._log(conn, caller, "project.created", p.to_json())
        return [p for _, p in new], unchanged

    def _checked_new(self, fields: dict[str, Any], row: int) -> Project:
        project = project_from(fields, row=row)
        if project.signing_event and self.store.signing_event(project.signing_event) is None:
            raise InvalidProject(
                f"no signing event {project.signing_event!r}", field="signingEvent", row=row
            )
        stage = fields.get("stage")
        if stage not in (None, "") and (target := choice(Stage, stage, "stage", row)) != (
            project.stage
        ):
            try:
                advance_to(project, target, day(fields.get("stageDate") or "", "stageDate", row))
            except InvalidProject as exc:
                raise InvalidProject(exc.message, field=exc.field, row=row) from None
        return project

    def _change(self, project_id: str, caller: Caller, kind: str, data: dict[str, Any],
                change: Any) -> Project:  # fmt: skip
        caller.require_bureau("change projects")
        with self.store.transaction() as conn:
            body = self.store.project_body(project_id, conn)
            if body is None:
                raise ProjectNotFound(f"no project {project_id!r}", field="project")
            project = project_from_json(body)
            change(project)
            self.store.put_project(conn, project, new=False)
            self._log(conn, caller, kind, {"project": project_id, **data})
        return project

    def change_stage(self, project_id: str, stage: str, on: str, caller: Caller) -> Project:
        target, when = choice(Stage, stage, "stage"), day(on, "date")
        return self._change(project_id, caller, "stage.changed",
                            {"stage": target.value, "date": when.isoformat()},
                            lambda p: advance(p, target, when))  # fmt: skip

    def record_funds(self, project_id: str, month: str, yuan: Decimal, caller: Caller) -> Project:
        return self._change(project_id, caller, "funds.recorded",
                            {"month": month, "amount": str(yuan)},
                            lambda p: record_funds(p, month, yuan))  # fmt: skip

    def record_output(self, project_id: str, month: str, units: Decimal, caller: Caller) -> Project:
        return self._change(project_id, caller, "output.recorded",
                            {"month": month, "units": str(units)},
                            lambda p: record_output(p, month, units))  # fmt: skip

    # --- parties, keys, documents, signatures -------------------------------------------

    def add_party(self, party: str, name: str, side: str, caller: Caller) -> None:
        caller.require_bureau("register parties")
        if side not in SIDES:
            raise InvalidProject(f"side must be one of {', '.join(SIDES)}", field="side")
        with self.store.transaction() as conn:
            self.store.add_party(conn, party, name, side)
            self._log(conn, caller, "party.registered", {"party": party, "name": name,
                      "side": side})  # fmt: skip

    def register_key(self, party: str, public_key: str, caller: Caller) -> str:
        caller.require_party(party, "register keys")
        if self.store.party(party) is None:
            raise ProjectNotFound(f"no party {party!r}", field="party")
        check_public_key(public_key)
        kid = key_id(public_key)
        with self.store.transaction() as conn:
            if not self.store.add_key(conn, kid, party, public_key, now_text()):
                raise ProjectConflict(f"key {kid} is registered already", field="publicKey")
            self._log(conn, caller, ev.KEY_REGISTERED,
                      {"keyId": kid, "party": party, "publicKey": public_key})  # fmt: skip
        return kid

    def revoke_key(self, kid: str, caller: Caller) -> None:
        key = self.store.key(kid)
        if key is None:
            raise ProjectNotFound(f"no key {kid!r}", field="keyId")
        caller.require_party(key["party"], "revoke keys")
        with self.store.transaction() as conn:
            if not self.store.revoke_key(conn, kid, now_text()):
                raise ProjectConflict(f"key {kid} is revoked already", field="keyId")
            self._log(conn, caller, ev.KEY_REVOKED, {"keyId": kid, "party": key["party"]})

    def register_document(self, project_id: str, name: str, content: bytes,
                          caller: Caller) -> str:  # fmt: skip
        caller.require_bureau("register contract documents")
        self.project(project_id)
        if not content:
            raise InvalidProject("the document is empty", field="document")
        sha = document_hash(content)
        with self.store.transaction() as conn:
            if not self.store.add_document(conn, sha, project_id, name, content, now_text()):
                raise ProjectConflict(f"document {sha[:12]}… is registered already",
                                      field="document")  # fmt: skip
            self._log(conn, caller, ev.DOCUMENT_REGISTERED,
                      {"project": project_id, "name": name, "sha256": sha,
                       "bytes": len(content)})  # fmt: skip
        return sha

    def sign(self, project_id: str, sha: str, party: str, signed_at: str, signature: str,
             caller: Caller) -> dict[str, Any]:  # fmt: skip
        """Accept a party's signature over a registered contract, or log its rejection and
        raise SignatureRejected."""
        project = self.project(project_id)
        caller.require_party(party, "sign")
        if caller.role != BUREAU and project.investor_party != party:
            raise AccessDenied(f"{party} is not the investor party of project {project_id}")
        stored = self.store.document(sha)
        if stored is None or stored[0] != project_id:
            raise ProjectNotFound(f"project {project_id} has no document {sha[:12]}…",
                                  field="document")  # fmt: skip
        statement = Statement(sha, project_id, party, signed_at)
        kid, refusal = self._check_signature(statement, signature)
        data = statement.to_json() | {"sha256": sha, "signature": signature, "signedAt": signed_at}
        if kid is None:
            field, why = refusal or ("signature", "refused")
            with self.store.transaction() as conn:
                self._log(conn, caller, ev.SIGNATURE_REJECTED, data | {"reason": why})
            raise SignatureRejected(why, field=field)
        record = {"sha256": sha, "party": party, "project": project_id, "keyId": kid,
                  "signedAt": signed_at, "signature": signature}  # fmt: skip
        with self.store.transaction() as conn:
            if not self.store.add_signature(conn, record):
                raise ProjectConflict(f"{party} has signed this document already", field="party")
            self._log(conn, caller, ev.SIGNATURE_ACCEPTED, data | {"keyId": kid})
            self._maybe_signed(conn, project_id, sha, signed_at)
        return record

    def _check_signature(
        self, statement: Statement, signature: str
    ) -> tuple[str | None, tuple[str, str] | None]:
        """(the live key the signature verifies with, None) or (None, (field, why))."""
        if self.store.signature(statement.document, statement.party) is not None:
            return None, ("party", f"{statement.party} has signed this document already")
        try:
            when = datetime.fromisoformat(statement.signed_at.replace("Z", "+00:00"))
        except ValueError:
            return None, ("signedAt", f"signedAt {statement.signed_at!r} is not an ISO 8601 time")
        if when.tzinfo is None:
            return None, ("signedAt", "signedAt needs a UTC offset")
        for key in self.store.keys_of(statement.party):
            if key["revokedAt"] is None and verifies(key["publicKey"], statement, signature):
                return key["keyId"], None
        return None, (
            "signature",
            f"the signature does not verify with any live key of {statement.party} "
            "(an unregistered or revoked key, or a different document or metadata)",
        )

    def _maybe_signed(self, conn: Any, project_id: str, sha: str, signed_at: str) -> None:
        """Once the zone side and the investor have both signed, the project is signed."""
        project = project_from_json(self.store.project_body(project_id, conn) or {})
        parties = {s["party"] for s in self.store.signatures_of(project_id, conn)
                   if s["sha256"] == sha}  # fmt: skip
        sides = {found[1] for p in parties if (found := self.store.party(p))}
        investor = (
            (project.investor_party in parties) if project.investor_party else ("investor" in sides)
        )
        if "zone" in sides and investor and project.stage.rank < Stage.SIGNED.rank:
            advance(project, Stage.SIGNED, date.fromisoformat(signed_at[:10]))
            self.store.put_project(conn, project, new=False)

    def signatures(self, project_id: str) -> list[dict[str, Any]]:
        """The project's signatures, each checked again against the key it was accepted
        with (the evidence log's verification covers them all; this says which is which)."""
        out = []
        for s in self.store.signatures_of(project_id):
            key = self.store.key(s["keyId"])
            statement = Statement(s["sha256"], project_id, s["party"], s["signedAt"])
            valid = key is not None and verifies(key["publicKey"], statement, s["signature"])
            out.append(s | {"valid": valid})
        return out

    def verify(self) -> Report:
        def document(sha: str) -> bytes | None:
            found = self.store.document(sha)
            return found[2] if found else None

        return ev.verify(self.store.evidence(), document, self.store.signature)

    # --- ceremony board -----------------------------------------------------------------

    def board(self, event_id: str) -> dict[str, Any]:
        event = self.signing_event(event_id)
        rows, total = [], Decimal(0)
        by_cluster: dict[str, Decimal] = defaultdict(Decimal)
        signatures = self.store.signature_counts()
        for p in self.projects(event_id):
            signed = p.stage.rank >= Stage.SIGNED.rank
            if signed:
                total += p.amount
                by_cluster[p.cluster] += p.amount
            rows.append({"id": p.id, "name": p.name, "investor": p.investor,
                         "amountYi": yi(p.amount), "cluster": p.cluster, "signed": signed,
                         "signatures": signatures.get(p.id, 0)})  # fmt: skip
        return {
            "event": event, "projects": rows, "signedCount": sum(r["signed"] for r in rows),
            "signedAmountYi": yi(total),
            "byCluster": {k: yi(v) for k, v in sorted(by_cluster.items())},
            "version": self.version(),
        }  # fmt: skip

    def version(self) -> int:
        """The evidence log's length: it changes with every write, in any worker."""
        last = self.store.evidence_tail()
        return last.seq if last else 0
