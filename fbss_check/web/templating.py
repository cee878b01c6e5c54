"""The templates, compiled once a language: each `_('...')` and `{% trans %}` of constant words is
looked up in the language's catalog when its template compiles, and is plain text on every render
after (a page made dozens of catalog lookups, about 5 µs each). Words with variables keep only the
%-formatting for the render; `ngettext` and `_()` of a variable are looked up as before.

A template is kept under its language and name, "es:result.html": the page's own `render_template`
name gets the request's language, and the templates it extends, includes or imports get its own.
The shared macros (`SHARED_MACROS`) are made once a language, as that language's template globals."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any

from babel.support import NullTranslations
from flask import has_request_context
from flask import templating as flask_templating
from flask.sansio.app import App
from jinja2 import BaseLoader, Template, nodes
from jinja2.environment import Environment as JinjaEnvironment
from jinja2.runtime import Macro
from jinja2.visitor import NodeTransformer

from fbss_check.model import DEFAULT_LANGUAGE, LANGUAGES

from .catalog import for_language
from .context import current_language

# Templates call these files' macros by name, as template globals made once a language: a page's
# `{% from %}` import would compare its globals with the macros' on every render (about 25 µs,
# two to four a page).
SHARED_MACROS = ("_macros.html", "_compare.html")
# The names Jinja's i18n extension calls for `_()` and `{% trans %}`: a template that assigns one
# of them is compiled as written (no template of ours does).
GETTEXT_NAMES = frozenset({"_", "gettext"})
SEPARATOR = ":"


class Environment(flask_templating.Environment):
    """Flask's template environment, with each template compiled once a language."""

    def __init__(self, app: App, **options: Any) -> None:
        super().__init__(app, **options)
        assert self.loader is not None
        self.loader = LanguageLoader(self.loader)

    def get_template(
        self,
        name: str | Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,  # Jinja's own name
    ) -> Template:
        """A page's template in the request's language (outside a request, the default one); the
        templates a page extends, includes or imports in the page's (see join_path)."""
        if parent is None and isinstance(name, str):
            name = kept_name(_language(), name)
        return super().get_template(name, parent, globals)

    def select_template(
        self,
        names: Iterable[str | Template],
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,  # Jinja's own name
    ) -> Template:
        """The first of the templates that exists, as get_template finds each."""
        if parent is None:
            language = _language()
            names = [kept_name(language, name) if isinstance(name, str) else name for name in names]
        return super().select_template(names, parent, globals)

    def join_path(self, template: str, parent: str) -> str:
        """A template named inside another is in the other's language."""
        found = split_name(parent)
        return kept_name(found[0], template) if found else template

    def share_macros(self, languages: tuple[str, ...]) -> None:
        """Make the shared macros of every language; last in the templates' set-up, as a macro
        sees the globals there are when it is made."""
        assert isinstance(self.loader, LanguageLoader)
        for language in languages:
            shared = self.loader.shared.setdefault(language, {})
            for name in SHARED_MACROS:
                module = self.get_template(kept_name(language, name)).module
                shared.update({key: value for key, value in vars(module).items() if isinstance(value, Macro)})

    def compile_all(self, language: str) -> None:
        """Compile and keep every template in a language, as its first page would."""
        for name in self.list_templates():
            self.get_template(kept_name(language, name))

    def macros(self, language: str) -> Mapping[str, Macro]:
        """The shared macros, by name, as the language's templates call them."""
        assert isinstance(self.loader, LanguageLoader)
        return self.loader.shared[language]

    def macro(self, language: str, name: str) -> Macro:
        """A shared macro, by name, as the language's templates call it."""
        return self.macros(language)[name]


class LanguageLoader(BaseLoader):
    """Loads "es:result.html" from Flask's loader as "result.html", its constant words in Spanish."""

    def __init__(self, loader: BaseLoader, catalog: Callable[[str], NullTranslations] = for_language) -> None:
        self.loader = loader
        self.catalog = catalog
        self.shared: dict[str, dict[str, Macro]] = {}  # language -> its shared macros (share_macros)

    def get_source(
        self, environment: JinjaEnvironment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        found = split_name(template)
        return self.loader.get_source(environment, found[1] if found else template)

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()

    def load(
        self,
        environment: JinjaEnvironment,
        name: str,
        globals: MutableMapping[str, Any] | None = None,  # Jinja's own name
    ) -> Template:
        found = split_name(name)
        if found is None:  # no language: compiled as written
            return super().load(environment, name, globals)
        language, plain = found
        source, filename, uptodate = self.loader.get_source(environment, plain)
        tree = environment.parse(source, plain, filename)
        fold_translations(tree, self.catalog(language))
        code = environment.compile(tree, name, filename)
        # The language's shared macros, under the template's own globals and over the environment's,
        # in one dict, not Jinja's ChainMap: each render copies them, and copying a ChainMap of 40
        # names took about 25 µs. So a page sees the environment's globals as they were when it
        # was first loaded: create_app sets them all, before any page is (a test holds pages to them).
        own = globals.maps[0] if isinstance(globals, ChainMap) else globals or {}  # Jinja's ChainMap(own, env's)
        known = {**environment.globals, **self.shared.setdefault(language, {}), **own}
        return environment.template_class.from_code(environment, code, known, uptodate)


def _language() -> str:
    """The request's language; outside a request, the default one."""
    return current_language() if has_request_context() else DEFAULT_LANGUAGE


def kept_name(language: str, name: str) -> str:
    """The name a template is kept under in a language; a name already kept under one, as it is."""
    return name if split_name(name) is not None else f"{language}{SEPARATOR}{name}"


def split_name(name: str) -> tuple[str, str] | None:
    """The language and the template of a name kept under a language, else None."""
    language, separator, plain = name.partition(SEPARATOR)
    return (language, plain) if separator and language in LANGUAGES else None


def fold_translations(tree: nodes.Template, catalog: NullTranslations) -> nodes.Template:
    """Look up each constant `_()` and `gettext()` of the template in the catalog, in place, as the
    i18n extension's newstyle gettext would on every render: the words, %-formatted with the
    call's keywords (escaped where autoescaping is on) and safe where autoescaping is on."""
    assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx != "load"}
    if assigned & GETTEXT_NAMES:
        return tree
    return _Fold(catalog).visit(tree)  # type: ignore[no-any-return]


class _Fold(NodeTransformer):
    def __init__(self, catalog: NullTranslations) -> None:
        self.catalog = catalog

    def visit_Call(self, node: nodes.Call) -> nodes.Node:  # Jinja's visitor names
        self.generic_visit(node)  # the words inside its keywords first
        called, args = node.node, node.args
        if not (
            isinstance(called, nodes.Name)
            and called.name in GETTEXT_NAMES
            and len(args) == 1
            and isinstance(args[0], nodes.Const)
            and isinstance(args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        words = self.catalog.ugettext(args[0].value)
        folded: nodes.Expr
        if node.kwargs:
            pairs = [nodes.Pair(nodes.Const(keyword.key), keyword.value) for keyword in node.kwargs]
            folded = nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(words)), nodes.Dict(pairs))
        else:
            try:
                words %= {}  # as the render would: "%%" is "%"
            except (KeyError, ValueError, TypeError):
                return node  # it fails on every render, as it did
            folded = nodes.MarkSafeIfAutoescape(nodes.Const(words))
        assert node.environment is not None  # the parser sets it on every node
        return folded.set_lineno(node.lineno).set_environment(node.environment)
