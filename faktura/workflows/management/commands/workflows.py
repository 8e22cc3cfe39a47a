"""python manage.py workflows list
python manage.py workflows export [ID ...] [--all] [--output FILE] [--include-secrets]
python manage.py workflows import FILE|- [--into ID] [--publish] [--on|--off]

Workflows as JSON documents (docs/workflows.md, "Export and import (JSON)"). One workflow
exports as one document; several (or --all) as a JSON list of documents, which `import` takes
back as that many new workflows. The document's own "enabled" is never applied: --on or --off
asks. Everything acts as the system; an import is all or nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from faktura.core.actors import Actor
from faktura.core.errors import RuleViolation
from faktura.core.text_input import read_json
from faktura.workflows import transfer
from faktura.workflows.models import Workflow

ACTOR = Actor.system("manage.py workflows")


class Command(BaseCommand):
    help = "List, export and import workflows as JSON documents."
    # call_command(..., stdin=StringIO(...)) feeds `import -` in tests and scripts.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="list|export|import")
        actions.add_parser("list", help="The workflows with their ids.")
        export = actions.add_parser("export", help="Write workflows as JSON.")
        export.add_argument("ids", nargs="*", type=int, metavar="ID", help="Workflow ids.")
        export.add_argument("--all", action="store_true", help="Every workflow, as a list.")
        export.add_argument("--output", metavar="FILE", help="Write here instead of stdout.")
        export.add_argument(
            "--include-secrets",
            action="store_true",
            help="Keep secret fields (a webhook's secret); left out by default so the file can "
            "go into version control.",
        )
        load = actions.add_parser("import", help="Create or replace workflows from JSON.")
        load.add_argument("file", metavar="FILE", help="A JSON file, or - for stdin.")
        load.add_argument(
            "--into", type=int, metavar="ID", help="Replace this workflow's name and draft."
        )
        load.add_argument("--publish", action="store_true", help="Publish the imported draft.")
        switch = load.add_mutually_exclusive_group()
        switch.add_argument(
            "--on", dest="enabled", action="store_const", const=True, help="Turn it on."
        )
        switch.add_argument(
            "--off", dest="enabled", action="store_const", const=False, help="Turn it off."
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "list":
                self._list()
            elif action == "export":
                self._export(options)
            else:
                self._import(options)
        except RuleViolation as refusal:
            raise CommandError(refusal.reason) from refusal

    def _list(self) -> None:
        workflows = transfer.readable_workflows(ACTOR)
        if not workflows:
            self.stdout.write("No workflows yet.")
        for workflow in workflows:
            version = f"v{workflow.published.number}" if workflow.published else "never published"
            state = "on" if workflow.enabled else "off"
            draft = (
                ", draft changed" if workflow.published and workflow.has_unpublished_changes else ""
            )
            self.stdout.write(
                f"{workflow.pk:>5}  {workflow.name} ({workflow.object_type}, {state}, "
                f"{version}{draft})"
            )

    def _export(self, options: dict[str, Any]) -> None:
        workflows = self._chosen(options["ids"], everything=options["all"])
        include = options["include_secrets"]
        documents = [transfer.export_workflow(w, include_secrets=include) for w in workflows]
        several = options["all"] or len(documents) > 1
        text = json.dumps(documents if several else documents[0], indent=2, ensure_ascii=False)
        if options["output"]:
            try:
                Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Could not write {options['output']}: {error}.") from error
        else:
            self.stdout.write(text)
        # Notes go to stderr: stdout may be the JSON itself, piped to a file.
        where = options["output"] or "stdout"
        count = len(documents)
        exported = ngettext(
            "Exported %(count)s workflow to %(where)s:",
            "Exported %(count)s workflows to %(where)s:",
            count,
        )
        self._note(exported % {"count": count, "where": where})
        for workflow in workflows:
            self._note(f"  {workflow.pk}  {workflow.name}")
            if not include and (left_out := transfer.secrets_left_out(workflow)):
                self._note(f"     left out the secret of {', '.join(left_out)}")
        if not include and any(transfer.secrets_left_out(w) for w in workflows):
            self._note("Pass --include-secrets to keep them (and keep that file private).")

    def _chosen(self, ids: list[int], *, everything: bool) -> list[Workflow]:
        workflows = transfer.readable_workflows(ACTOR)
        if everything:
            if ids:
                raise CommandError("Give workflow ids or --all, not both.")
            return list(workflows)
        if not ids:
            raise CommandError(
                "Name the workflows to export by id, or pass --all. "
                "`manage.py workflows list` shows the ids."
            )
        found = {w.pk: w for w in workflows.filter(pk__in=ids)}
        if missing := [str(i) for i in ids if i not in found]:
            raise CommandError(
                f"There is no workflow {', '.join(missing)}. "
                "`manage.py workflows list` shows the ids."
            )
        return [found[i] for i in dict.fromkeys(ids)]

    def _import(self, options: dict[str, Any]) -> None:
        document = self._read(options["file"], options.get("stdin") or sys.stdin)
        publish, enabled = options["publish"], options["enabled"]
        if isinstance(document, list):
            if options["into"] is not None:
                raise CommandError(
                    "The file holds several workflows; --into replaces one. Import one "
                    "document with --into, or the list without it (each becomes a new workflow)."
                )
            made = transfer.import_workflows(
                document, actor=ACTOR, publish=publish, enabled=enabled
            )
            for workflow in made:
                self._done("Created", workflow, None)
            return
        into = None
        if options["into"] is not None:
            into = transfer.readable_workflows(ACTOR).filter(pk=options["into"]).first()
            if into is None:
                raise CommandError(
                    f"There is no workflow {options['into']} to import into. "
                    "`manage.py workflows list` shows the ids."
                )
        before = into.published.number if into and into.published else None
        workflow = transfer.import_workflow(
            document, actor=ACTOR, into=into, publish=publish, enabled=enabled
        )
        self._done("Replaced" if into else "Created", workflow, before if into else None)

    def _read(self, name: str, stdin: IO[str]) -> Any:
        try:
            text = stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Could not read {name}: {error}.") from error
        try:
            return read_json(text, "stdin" if name == "-" else name)
        except RuleViolation as refusal:
            raise CommandError(
                f"{refusal.reason} Import a file written by `manage.py workflows export`."
            ) from refusal

    def _done(self, verb: str, workflow: Workflow, published_before: int | None) -> None:
        version = workflow.published.number if workflow.published else None
        if version is None:
            published = "not published"
        elif version == published_before:
            published = f"published version {version} unchanged"
        else:
            published = f"published as version {version}"
        state = "on" if workflow.enabled else "off"
        self.stdout.write(
            f"{verb} workflow {workflow.pk} “{workflow.name}” ({workflow.object_type}): "
            f"{published}, {state}."
        )

    def _note(self, text: str) -> None:
        # stderr carries information here, not an error: no red.
        self.stderr.write(text, style_func=lambda line: line)
