"""Write one Jupyter notebook per chapter, ready for Colab, into _build/notebooks/.

The chapters are MyST-Markdown Jupytext notebooks. Colab knows plain Markdown only, so
each generated notebook is the chapter with:

- a first setup cell that, in Colab only, installs seqlab from the exact commit or tag
  the notebooks were generated from (``--ref``, default ``git rev-parse HEAD``) while
  pinning the TensorFlow, Keras and NumPy already installed, so that the install can
  never replace them; it is tagged ``skip-execution`` and ``nbval-skip`` so that
  neither the book nor nbval runs it;
- every MyST directive and role turned into plain Markdown: the Colab badge, admonitions
  (block quotes with a bold title), figures, maths, exercises ("Exercise 5.2", numbered
  as in the book), citations (author-year text linking the book's bibliography page),
  cross-references (``{ref}``, ``{numref}``, ``{eq}``, ``{doc}`` as text or links to
  the book's pages), API roles (code linking the API page) and glued values;
- solutions hidden until the learner asks, and still run by "Run all": their Markdown
  in a ``<details>`` block, their code cells collapsed to a Colab form (``cellView:
  form`` and a ``#@title Solution to Exercise N`` first line, which Colab shows in
  place of the code);
- code cells that the book hides (tags ``remove-cell``, ``remove-input``, ``hide-input``,
  ``hide-cell``) collapsed to a Colab form too, with a title saying so;
- a caption cell under each code cell that carries ``mystnb`` figure metadata;
- a one-line GPU hint, and Colab's GPU runtime preselected, for a chapter whose front
  matter sets ``seqlab: {colab_gpu: true}``; no chapter sets it until the GPU
  workflow's timings show a gain.

Code cells keep their code (a solution gains only its ``#@title`` comment line): nbval
executes these same files, so CI tests what Colab users open.

Usage: python scripts/make_notebooks.py [--out DIR] [--ref REF] [CHAPTER.md ...]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from colab_badge import BADGE_IMAGE, colab_url  # noqa: E402

SETUP_TAGS = ["skip-execution", "nbval-skip", "colab-setup"]
# Distributions that the setup cell pins to the versions Colab already has.
KEEP_INSTALLED = ("tensorflow", "keras", "numpy")
GATES = {"exercise-start", "exercise-end", "solution-start", "solution-end"}
SOLUTION_TITLE = "Solution to Exercise {number}"
GPU_HINT = (
    "> **Runtime:** this chapter trains noticeably faster on a GPU. In Colab choose "
    "*Runtime → Change runtime type → T4 GPU* before running it."
)

DIRECTIVE_OPEN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})\{(?P<name>[^}\s]+)\}[ \t]*(?P<arg>.*?)\s*$"
)
CODE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:+.-]*)\}(?P<ticks>`+)(?P<content>.+?)(?P=ticks)")
TARGET = re.compile(r"^\s*\((?P<label>[^()\s]+)\)=\s*$")
EQUATION_LABEL = re.compile(r"\$\$\s*\((?P<label>[^()\s]+)\)\s*$")
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$", re.M)

ADMONITIONS = {
    "admonition": None, "note": "Note", "tip": "Tip", "hint": "Hint",
    "important": "Important", "warning": "Warning", "caution": "Caution",
    "attention": "Attention", "danger": "Danger", "error": "Error",
    "seealso": "See also", "margin": "Aside", "sidebar": "Aside", "topic": None,
    "epigraph": "", "pull-quote": "", "highlights": "",
}
DROPPED = {
    "bibliography", "tableofcontents", "toctree", "nb-exec-table", "eval-rst", "raw",
    "include", "literalinclude", "contents", "only", "glossary", "index",
}
API_ROLES = {"func", "meth", "class", "mod", "attr", "obj", "exc", "data", "const"}
LATEX_ACCENTS = {
    "'": "\u0301", '"': "\u0308", "`": "\u0300", "^": "\u0302", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "c": "\u0327", "u": "\u0306", "v": "\u030c",
    "H": "\u030b", "r": "\u030a", "k": "\u0328",
}


def read_book_config(root: Path = ROOT) -> dict:
    with open(root / "_config.yml") as handle:
        return yaml.safe_load(handle)


def site_url(config: dict) -> str:
    """The book's web address, ending with '/' (``html.baseurl``, else GitHub Pages)."""
    base = (config.get("html") or {}).get("baseurl")
    if not base:
        owner_repo = config["repository"]["url"].rstrip("/").split("github.com/")[-1]
        owner, repo = owner_repo.removesuffix(".git").split("/")[:2]
        base = f"https://{owner}.github.io/{repo}/"
    return base.rstrip("/") + "/"


def git_head(root: Path = ROOT) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def setup_cell_source(repository_url: str, ref: str) -> str:
    """The Colab setup cell: seqlab at ``ref``, Colab's TensorFlow, Keras, NumPy kept."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", ref or ""):
        raise ValueError(f"ref must be a commit, tag or branch name, got {ref!r}")
    package = f"seqlab @ git+{repository_url.rstrip('/').removesuffix('.git')}.git@{ref}"
    return (
        "# Colab only: install the course's companion package, from the commit these\n"
        "# notebooks were made from. The versions pinned below are the ones already\n"
        "# installed, so pip keeps Colab's TensorFlow, Keras and NumPy as they are.\n"
        "import sys\n"
        "if \"google.colab\" in sys.modules:\n"
        "    from importlib import metadata\n"
        "    keep = []\n"
        f"    for name in {KEEP_INSTALLED!r}:\n"
        "        try:\n"
        "            keep.append(f\"{name}=={metadata.version(name)}\")\n"
        "        except metadata.PackageNotFoundError:\n"
        "            pass\n"
        "    keep = \" \".join(keep)\n"
        f"    %pip install --quiet \"{package}\" {{keep}}"
    )


# --------------------------------------------------------------------------- references

def latex_to_text(text: str) -> str:
    """BibTeX field text to plain Unicode: accents composed, braces dropped."""
    def accent(match):
        letter = match.group("letter")
        letter = {"\\i": "i", "\\j": "j"}.get(letter, letter)
        return unicodedata.normalize("NFC", letter + LATEX_ACCENTS[match.group("mark")])

    text = re.sub(
        r"\\(?P<mark>['\"`^~=.]|[cuvHrk](?=[{\s]))\s*\{?(?P<letter>\\[ij]|[A-Za-z])\}?",
        accent, text,
    )
    text = re.sub(r"\\ss\b\s*", "ß", text)
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def _field(body: str, name: str) -> str | None:
    match = re.search(rf"(?<![\w-]){name}\s*=\s*", body, re.I)
    if not match:
        return None
    position = match.end()
    if body[position] == "{":
        depth = 0
        for end in range(position, len(body)):
            depth += {"{": 1, "}": -1}.get(body[end], 0)
            if depth == 0:
                return body[position + 1:end]
    if body[position] == '"':
        return body[position + 1:body.index('"', position + 1)]
    return re.match(r"[\w.-]+", body[position:]).group(0)


def _last_name(person: str) -> str:
    person = person.strip()
    if person.startswith("{") and person.endswith("}"):
        return latex_to_text(person)
    if "," in person:
        return latex_to_text(person.split(",")[0])
    return latex_to_text(person).split(" ")[-1]


def read_bibliography(path: Path) -> dict[str, tuple[str, str]]:
    """``key -> (authors as cited, year)`` for every entry of a BibTeX file."""
    entries = {}
    text = path.read_text(encoding="utf-8")
    for match in re.finditer(r"@\w+\s*\{\s*(?P<key>[^,\s]+)\s*,", text):
        start = match.end()
        following = re.search(r"\n@\w+\s*\{", text[start:])
        body = text[start:start + following.start()] if following else text[start:]
        people = _field(body, "author") or _field(body, "editor") or "Anonymous"
        names = [_last_name(p) for p in re.split(r"\s+and\s+", people)]
        if len(names) == 1:
            authors = names[0]
        elif len(names) == 2:
            authors = f"{names[0]} and {names[1]}"
        else:
            authors = f"{names[0]} et al."
        entries[match.group("key")] = (authors, latex_to_text(_field(body, "year") or "n.d."))
    return entries


@dataclass
class Label:
    docname: str
    kind: str       # exercise, figure, equation, section
    number: str     # "5.2" ("" for a section)
    title: str      # heading text or caption


@dataclass
class Book:
    """What the conversion needs to know about the whole book."""

    site: str
    bibliography: dict
    titles: dict = field(default_factory=dict)           # docname -> title
    chapter_numbers: dict = field(default_factory=dict)  # docname -> "5"
    labels: dict = field(default_factory=dict)           # label -> Label

    def page(self, docname: str, anchor: str = "") -> str:
        return f"{self.site}{docname}.html" + (f"#{anchor}" if anchor else "")


def _numbered_docs(toc: dict) -> dict[str, str]:
    numbers, count = {}, 0
    for part in toc.get("parts", []):
        for entry in part.get("chapters", []):
            if part.get("numbered") and "file" in entry:
                count += 1
                numbers[entry["file"]] = str(count)
    return numbers


def _docname(path: Path, root: Path) -> str:
    return path.resolve().relative_to(root).with_suffix("").as_posix()


def _figure_caption(metadata) -> tuple[str, str] | None:
    figure = (metadata.get("mystnb") or {}).get("figure") or {}
    if not (figure.get("caption") or figure.get("name")):
        return None
    return figure.get("name", ""), str(figure.get("caption", ""))


def index_book(root: Path = ROOT, config: dict | None = None) -> Book:
    """Titles, chapter numbers and numbered labels of every page under ``root``."""
    config = config or read_book_config(root)
    bib_files = config.get("bibtex_bibfiles") or ["book/references.bib"]
    bibliography = {}
    for name in bib_files:
        bibliography.update(read_bibliography(root / name))
    book = Book(site_url(config), bibliography)
    toc_path = root / "_toc.yml"
    if toc_path.exists():
        book.chapter_numbers = _numbered_docs(yaml.safe_load(toc_path.read_text()))
    pages = sorted((root / "chapters").glob("*.md")) + sorted((root / "book").glob("*.md"))
    for path in pages:
        docname = _docname(path, root)
        text = path.read_text(encoding="utf-8")
        body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
        title = HEADING.search(body)
        book.titles[docname] = title.group("title") if title else docname
        _index_labels(book, docname, body)
    return book


def _index_labels(book: Book, docname: str, text: str) -> None:
    prefix = book.chapter_numbers.get(docname)
    counts = {"exercise": 0, "figure": 0, "equation": 0}

    def number(kind: str) -> str:
        counts[kind] += 1
        return f"{prefix}.{counts[kind]}" if prefix else str(counts[kind])

    lines = text.splitlines()
    for i, line in enumerate(lines):
        target = TARGET.match(line)
        if target:
            heading = next((HEADING.match(x) for x in lines[i + 1:i + 3] if HEADING.match(x)), None)
            title = heading.group("title") if heading else target.group("label")
            book.labels[target.group("label")] = Label(docname, "section", "", title)
            continue
        equation = EQUATION_LABEL.search(line)
        if equation:
            book.labels[equation.group("label")] = Label(
                docname, "equation", number("equation"), "")
            continue
        directive = DIRECTIVE_OPEN.match(line)
        if not directive:
            continue
        name, arg = directive.group("name"), directive.group("arg")
        options = {}
        for option_line in lines[i + 1:]:
            option = OPTION.match(option_line)
            if not option:
                break
            options[option.group("key")] = option.group("value")
        if name in ("exercise-start", "exercise"):
            n = number("exercise")
            if "label" in options:
                book.labels[options["label"]] = Label(docname, "exercise", n, arg)
        elif name in ("figure", "glue:figure"):
            n = number("figure")
            if "name" in options:
                book.labels[options["name"]] = Label(docname, "figure", n, "")
        elif name == "math" and "label" in options:
            book.labels[options["label"]] = Label(docname, "equation", number("equation"), "")
        elif name == "code-cell":
            block = "\n".join(lines[i + 1:i + 40])
            front = re.match(r"---\n(.*?)\n---", block, re.S)
            if front:
                caption = _figure_caption(yaml.safe_load(front.group(1)) or {})
                if caption:
                    n = number("figure")
                    if caption[0]:
                        book.labels[caption[0]] = Label(docname, "figure", n, caption[1])


# --------------------------------------------------------------------------- conversion

@dataclass
class Context:
    book: Book
    docname: str
    repository_url: str
    ref: str
    badge: str
    solution_of: dict = field(default_factory=dict)  # exercise label -> number


@dataclass
class Gate:
    name: str
    arg: str
    options: dict


def _resolve_doc(target: str, docname: str) -> str:
    target = target.strip().removesuffix(".md").removesuffix(".ipynb")
    if target.startswith("/"):
        return target.lstrip("/")
    parts = list(PurePosixPath(docname).parent.parts)
    for piece in PurePosixPath(target).parts:
        if piece == "..":
            parts = parts[:-1]
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _explicit(content: str) -> tuple[str | None, str]:
    match = EXPLICIT.match(content.strip())
    if match and match.group("text"):
        return match.group("text"), match.group("target").strip()
    return None, content.strip()


def _label_text(label: Label) -> str:
    if label.kind == "exercise":
        return f"Exercise {label.number}"
    if label.kind == "figure":
        return f"Figure {label.number}"
    if label.kind == "equation":
        return f"({label.number})"
    return label.title


def _reference(ctx: Context, text: str, label: Label | None, target: str) -> str:
    if label is None:
        return text
    if label.docname == ctx.docname:
        return text
    return f"[{text}]({ctx.book.page(label.docname, target)})"


def _cite(ctx: Context, name: str, content: str) -> str:
    url = ctx.book.page("book/bibliography")
    parts = []
    for key in [k.strip() for k in content.split(",") if k.strip()]:
        authors, year = ctx.book.bibliography.get(key, (key, "n.d."))
        if name in ("cite:t", "cite:ts", "cite:label"):
            parts.append(f"[{authors} ({year})]({url})")
        elif name == "cite:author":
            parts.append(f"[{authors}]({url})")
        elif name == "cite:year":
            parts.append(f"[{year}]({url})")
        else:
            parts.append(f"[{authors}, {year}]({url})")
    if name in ("cite", "cite:p", "cite:ps"):
        # The book's author_year style: [Werbos, 1990]; escaped, so not a link.
        return "\\[" + "; ".join(parts) + "\\]"
    return "; ".join(parts) if name != "cite:t" else ", ".join(parts)


def convert_role(ctx: Context, name: str, content: str) -> str:
    """One MyST role as plain Markdown."""
    book = ctx.book
    if name == "cite" or name.startswith("cite:"):
        return _cite(ctx, name, content)
    if name in ("ref", "numref", "eq", "std:ref"):
        text, target = _explicit(content)
        label = book.labels.get(target)
        if text is None:
            text = _label_text(label) if label else target.replace("-", " ")
        elif label and "%s" in text:
            text = text.replace("%s", label.number)
        if label and "{name}" in text:
            text = text.replace("{name}", label.title)
        return _reference(ctx, text, label, target)
    if name == "doc":
        text, target = _explicit(content)
        docname = _resolve_doc(target, ctx.docname)
        text = text or book.titles.get(docname, target)
        return f"[{text}]({book.page(docname)})"
    base = name.split(":")[-1]
    if base in API_ROLES:
        target = content.strip()
        shown = target.lstrip("~")
        if target.startswith("~"):
            shown = shown.split(".")[-1]
        if base in ("func", "meth"):
            shown += "()"
        if target.lstrip("~").startswith("seqlab"):
            return f"[`{shown}`]({book.page('book/api', target.lstrip('~'))})"
        return f"`{shown}`"
    if name == "glue" or name.startswith("glue:"):
        key = content.strip().split(":")[0]
        return f"`{key}` (printed by the code above)"
    if name == "math":
        return f"${content}$"
    if name in ("sub", "sup"):
        return f"<{name}>{content}</{name}>"
    if name == "download":
        text, target = _explicit(content)
        path = _resolve_doc(target, ctx.docname) if not target.startswith("http") else target
        owner_repo = ctx.repository_url.rstrip("/").split("github.com/")[-1]
        url = path if path.startswith("http") else (
            f"https://raw.githubusercontent.com/{owner_repo}/{ctx.ref}/{path}")
        return f"[{text or PurePosixPath(target).name}]({url})"
    if name in ("abbr", "term", "index", "dfn", "guilabel", "menuselection"):
        text, _ = _explicit(content)
        return text or content
    return f"`{content}`"


def convert_inline(ctx: Context, text: str) -> str:
    """Roles outside inline code spans become Markdown; code spans stay as they are."""
    out, i = [], 0
    while i < len(text):
        role = ROLE.match(text, i) if text[i] == "{" else None
        if role:
            out.append(convert_role(ctx, role.group("name"), role.group("content")))
            i = role.end()
        elif text[i] == "`":
            ticks = re.match(r"`+", text[i:]).group(0)
            end = text.find(ticks, i + len(ticks))
            end = len(text) if end < 0 else end + len(ticks)
            out.append(text[i:end])
            i = end
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _closing(lines: list[str], start: int, fence: str) -> int:
    for j in range(start, len(lines)):
        stripped = lines[j].strip()
        if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            return j
    return len(lines)


def _split_options(body: list[str]) -> tuple[dict, list[str]]:
    if body and body[0].strip() == "---":
        end = next((k for k in range(1, len(body)) if body[k].strip() == "---"), None)
        if end is not None:
            return yaml.safe_load("\n".join(body[1:end])) or {}, body[end + 1:]
    options, k = {}, 0
    while k < len(body):
        option = OPTION.match(body[k])
        if not option:
            break
        options[option.group("key")] = option.group("value")
        k += 1
    return options, body[k:]


def _quote(title: str, body: str) -> str:
    lines = ([f"**{title}**", ""] if title else []) + body.splitlines()
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def _details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{body.strip()}\n\n</details>"


def _image_url(ctx: Context, path: str) -> str:
    if re.match(r"[a-z]+://", path):
        return path
    owner_repo = ctx.repository_url.rstrip("/").split("github.com/")[-1]
    resolved = _resolve_doc(path, ctx.docname) if not path.startswith("/") else path[1:]
    return f"https://raw.githubusercontent.com/{owner_repo}/{ctx.ref}/{resolved}"


def _list_table(ctx: Context, body: list[str], options: dict) -> str:
    rows, row = [], None
    for line in body:
        if re.match(r"^\*\s+-\s+", line):
            row = [line.split("-", 1)[1].strip()]
            rows.append(row)
        elif re.match(r"^\s+-\s+", line) and row is not None:
            row.append(line.strip()[1:].strip())
        elif line.strip() and row:
            row[-1] += " " + line.strip()
    if not rows:
        return ""
    rows = [[convert_inline(ctx, cell) for cell in r] for r in rows]
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    table = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * width]
    table += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(table)


def convert_directive(ctx: Context, name: str, arg: str, options: dict,
                      body: list[str]) -> str:
    """One MyST directive (not a gate) as plain Markdown."""
    label = ctx.book.labels.get(options.get("name") or options.get("label") or "")
    if name == "colab-badge":
        return ctx.badge
    if name in DROPPED:
        return ""
    if name in ("code-block", "code", "sourcecode"):
        return f"```{arg}\n" + "\n".join(body) + "\n```"
    if name == "math":
        tag = f" \\tag{{{label.number}}}" if label else ""
        return "$$\n" + "\n".join(body).strip() + tag + "\n$$"
    if name in ("figure", "image"):
        alt = options.get("alt", "figure")
        image = f"![{alt}]({_image_url(ctx, arg)})"
        caption = convert_markdown_text(ctx, "\n".join(body)).strip()
        if name == "image" or not (caption or label):
            return image
        prefix = f"Figure {label.number}" if label else "Figure"
        return f"{image}\n\n*{prefix}: {caption}*" if caption else f"{image}\n\n*{prefix}*"
    if name.startswith("glue"):
        caption = convert_markdown_text(ctx, "\n".join(body)).strip()
        prefix = f"Figure {label.number}" if label else "The value"
        where = f"is shown in the output of the code above that stores it as `{arg}`"
        return f"*{prefix}{': ' + caption if caption else ''}* ({where})."
    if name == "list-table":
        title = convert_inline(ctx, arg)
        return (f"**{title}**\n\n" if title else "") + _list_table(ctx, body, options)
    if name == "table":
        title = convert_inline(ctx, arg)
        content = convert_markdown_text(ctx, "\n".join(body))
        return (f"**{title}**\n\n" if title else "") + content
    if name in ("exercise", "solution"):
        return _exercise_block(ctx, name, arg, options, body)
    content = convert_markdown_text(ctx, "\n".join(body)).strip()
    if name == "dropdown" or "dropdown" in str(options.get("class", "")):
        return _details(convert_inline(ctx, arg) or "Details", content)
    if name in ADMONITIONS:
        title = ADMONITIONS[name]
        if title is None:
            title = convert_inline(ctx, arg)
        elif arg:
            content = (convert_inline(ctx, arg) + "\n" + content).strip()
        return _quote(title, content)
    title = convert_inline(ctx, arg) or name.replace("-", " ").capitalize()
    return _quote(title, content)


def _exercise_block(ctx, name, arg, options, body) -> str:
    content = convert_markdown_text(ctx, "\n".join(body)).strip()
    if name == "exercise":
        label = ctx.book.labels.get(options.get("label", ""))
        heading = f"Exercise {label.number}" if label else "Exercise"
        title = convert_inline(ctx, arg)
        return f"### {heading}" + (f" ({title})" if title else "") + f"\n\n{content}"
    number = ctx.book.labels.get(arg.strip())
    summary = SOLUTION_TITLE.format(number=number.number if number else "").strip()
    return _details(summary + " (click to show)", content)


def parse_markdown(ctx: Context, text: str) -> list[str | Gate]:
    """Markdown text to plain-Markdown pieces, with gate directives kept as ``Gate``."""
    lines = text.split("\n")
    pieces: list[str | Gate] = []
    plain: list[str] = []

    def flush():
        if plain:
            pieces.append(convert_inline_lines(ctx, plain))
            plain.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        directive = DIRECTIVE_OPEN.match(line)
        code = None if directive else CODE_OPEN.match(line)
        if directive:
            end = _closing(lines, i + 1, directive.group("fence"))
            indent = len(directive.group("indent"))
            body = [x[indent:] if x[:indent].strip() == "" else x for x in lines[i + 1:end]]
            options, body = _split_options(body)
            name, arg = directive.group("name"), directive.group("arg")
            if name in GATES:
                flush()
                pieces.append(Gate(name, arg, options))
            else:
                plain.append(("block", convert_directive(ctx, name, arg, options, body)))
            i = end + 1
        elif code:
            end = _closing(lines, i + 1, code.group("fence"))
            plain.append(("block", "\n".join(lines[i:end + 1])))
            i = end + 1
        elif TARGET.match(line) or re.match(r"^\s*%", line):
            i += 1   # a MyST target or comment: nothing to show in Colab
        else:
            equation = EQUATION_LABEL.search(line)
            if equation and equation.group("label") in ctx.book.labels:
                number = ctx.book.labels[equation.group("label")].number
                line = line[:equation.start()] + f"\\tag{{{number}}}\n$$"
            plain.append(("text", line))
            i += 1
    flush()
    return pieces


def convert_inline_lines(ctx: Context, items: list) -> str:
    out, text = [], []
    for kind, value in items + [("block", None)]:
        if kind == "text":
            text.append(value)
            continue
        if text:
            out.append(convert_inline(ctx, "\n".join(text)))
            text = []
        if value is not None:
            out.append(value)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def convert_markdown_text(ctx: Context, text: str) -> str:
    """Markdown with no gates (a directive's body) to plain Markdown."""
    return "\n\n".join(p for p in parse_markdown(ctx, text) if isinstance(p, str))


# Cells whose code the book hides, by their myst-nb tags, and the title Colab shows instead.
HIDDEN_IN_BOOK = {
    "remove-cell": "Book plumbing (not shown in the book)",
    "remove-input": "Code hidden in the book (show the code to read it)",
    "hide-input": "Code hidden in the book (show the code to read it)",
    "hide-cell": "Code hidden in the book (show the code to read it)",
}


def _form_cell(cell, title: str):
    """Collapse a code cell to a Colab form: Colab shows the title, the code on request."""
    cell.source = f"#@title {title} {{ display-mode: \"form\" }}\n" + cell.source
    cell.metadata["cellView"] = "form"
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    return cell


def convert_cells(ctx: Context, cells: list) -> list:
    """The chapter's cells in plain Markdown, with exercises numbered and solutions hidden."""
    out = []
    solution = None   # the title of the open solution, if any
    pending: list[str] = []

    def flush():
        text = "\n\n".join(pending).strip("\n")
        pending.clear()
        if not text.strip():
            return
        if solution:
            text = _details(f"{solution} (click to show)", text)
        out.append(nbformat.v4.new_markdown_cell(text))

    def add_markdown(text: str):
        if text.strip():
            pending.append(text.strip("\n"))

    for cell in cells:
        if cell.cell_type != "markdown":
            hidden = [HIDDEN_IN_BOOK[t] for t in cell.metadata.get("tags", [])
                      if t in HIDDEN_IN_BOOK]
            if cell.cell_type == "code" and solution:
                cell = _form_cell(cell, solution)
            elif cell.cell_type == "code" and hidden:
                cell = _form_cell(cell, hidden[0])
            out.append(cell)
            caption = _figure_caption(cell.metadata) if cell.cell_type == "code" else None
            if caption:
                label = ctx.book.labels.get(caption[0])
                prefix = f"Figure {label.number}" if label else "Figure"
                text = convert_inline(ctx, caption[1])
                out.append(nbformat.v4.new_markdown_cell(
                    f"*{prefix}: {text}*" if text else f"*{prefix}*"))
            continue
        for piece in parse_markdown(ctx, cell.source):
            if isinstance(piece, str):
                add_markdown(piece)
            elif piece.name == "exercise-start":
                label = ctx.book.labels.get(piece.options.get("label", ""))
                heading = f"Exercise {label.number}" if label else "Exercise"
                title = convert_inline(ctx, piece.arg)
                add_markdown(f"### {heading}" + (f" ({title})" if title else ""))
            elif piece.name == "solution-start":
                flush()
                label = ctx.book.labels.get(piece.arg.strip())
                solution = SOLUTION_TITLE.format(number=label.number if label else "").strip()
            elif piece.name == "solution-end":
                flush()
                solution = None
        flush()
    return out


def to_colab_notebook(chapter: Path, config: dict, ref: str | None = None,
                      book: Book | None = None) -> nbformat.NotebookNode:
    ref = ref or git_head()
    repository_url = config["repository"]["url"]
    notebooks_branch = config["sphinx"]["config"]["colab_notebooks_branch"]
    book = book or index_book(ROOT, config)
    notebook = jupytext.read(chapter)
    badge_url = colab_url(repository_url, notebooks_branch, chapter.stem + ".ipynb")
    ctx = Context(
        book=book, docname=_docname(chapter, ROOT) if chapter.resolve().is_relative_to(ROOT)
        else f"chapters/{chapter.stem}",
        repository_url=repository_url, ref=ref,
        badge=f"[![Open In Colab]({BADGE_IMAGE})]({badge_url})",
    )
    cells = convert_cells(ctx, notebook.cells)
    gpu = bool((notebook.metadata.get("seqlab") or {}).get("colab_gpu"))
    if gpu:
        first_markdown = next((k for k, c in enumerate(cells) if c.cell_type == "markdown"), -1)
        cells.insert(first_markdown + 1, nbformat.v4.new_markdown_cell(GPU_HINT))
    setup = nbformat.v4.new_code_cell(setup_cell_source(repository_url, ref))
    setup.metadata["tags"] = list(SETUP_TAGS)
    notebook.cells = [setup] + cells
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python",
    }
    colab = notebook.metadata.setdefault("colab", {})
    colab["provenance"] = []
    if gpu:
        notebook.metadata["accelerator"] = "GPU"
        colab["gpuType"] = "T4"
    notebook.metadata.setdefault("seqlab", {})["ref"] = ref
    return notebook


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "notebooks")
    parser.add_argument("--ref", default=None,
                        help="commit or tag that the setup cell installs "
                             "(default: git rev-parse HEAD)")
    args = parser.parse_args(argv)
    chapters = args.chapters or sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
    if not chapters:
        parser.error("no chapters found")
    config = read_book_config()
    ref = args.ref or git_head()
    book = index_book(ROOT, config)
    args.out.mkdir(parents=True, exist_ok=True)
    for chapter in chapters:
        notebook = to_colab_notebook(chapter, config, ref, book)
        target = args.out / (chapter.stem + ".ipynb")
        nbformat.write(notebook, target)
        shown = (target.resolve().relative_to(ROOT)
                 if target.resolve().is_relative_to(ROOT) else target)
        print(f"wrote {shown} (seqlab at {ref})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
