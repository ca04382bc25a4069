"""The one model of include/mxreg.h that every generator reads.

The header is cbindgen's output, so its shape is regular: doc comments,
`#define`s, `enum` blocks with an integer typedef, opaque
`typedef struct x x;`, request structs (each starting with `struct_size`,
each with its `mxreg_<struct>_size()`) and one `extern "C"` block of
prototypes. `load()` reads exactly that shape into the dataclasses below;
anything else (a function pointer, a type it cannot read, a prototype it
missed) stops it with a HeaderError instead of guessing.

The generators built on it, each with a `--check` mode that `make test` runs
and each rerun after any change to the C API:

    scripts/gen_python_table.py   bindings/python/src/mxreg/_raw.py   (make python-table)
    scripts/gen_misuse_cases.py   tests/c/misuse_cases.h              (make c-misuse-cases)
    scripts/gen_kotlin_raw.py     bindings/kotlin/.../org/mxreg/raw/  (make kotlin-raw)
    scripts/gen_swift_header_facts.py  bindings/swift/.../HeaderFacts.swift  (make swift-header-facts)

`make generate` runs them all. They only map this model to their language:
a new function, struct field, enum member or result code of a shape the
header already has needs no edit in them. Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import sys
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HEADER = REPO_ROOT / "include" / "mxreg.h"


# The C scalar types the header may use: kind ("bool", "int" or "float") and
# width in bytes (0: as wide as a pointer).
SCALARS: dict[str, tuple[str, int]] = {
    "bool": ("bool", 1), "int": ("int", 4), "size_t": ("int", 0), "float": ("float", 4), "double": ("float", 8),
    "int8_t": ("int", 1), "int16_t": ("int", 2), "int32_t": ("int", 4), "int64_t": ("int", 8),
    "uint8_t": ("int", 1), "uint16_t": ("int", 2), "uint32_t": ("int", 4), "uint64_t": ("int", 8),
}


class HeaderError(Exception):
    """The header has a shape the model does not handle."""


@dataclass(frozen=True)
class CType:
    """A C type: its spelling (whitespace normalised), base name, pointer
    depth and whether the pointee is const (`const char *const *` counts as
    const char, depth 2)."""

    text: str
    base: str
    depth: int
    const_pointee: bool

    @property
    def is_string(self) -> bool:
        return self.base == "char" and self.depth == 1 and self.const_pointee

    @property
    def is_string_array(self) -> bool:
        return self.base == "char" and self.depth == 2 and self.const_pointee


@dataclass(frozen=True)
class Decl:
    """A parameter or struct field; `doc` is empty for parameters."""

    name: str
    ctype: CType
    doc: str = ""


@dataclass(frozen=True)
class Function:
    name: str
    returns: CType
    params: tuple[Decl, ...]
    doc: str


V = TypeVar("V")


@dataclass(frozen=True)
class Constant(Generic[V]):
    """An enum member (an int) or a `#define` (an int, or the text of its string literal)."""

    name: str
    value: V
    doc: str


@dataclass(frozen=True)
class Enum:
    name: str
    base: str
    members: tuple[Constant[int], ...]
    doc: str

    @property
    def values(self) -> dict[str, int]:
        return {m.name: m.value for m in self.members}


@dataclass(frozen=True)
class Opaque:
    name: str
    doc: str


@dataclass(frozen=True)
class Struct:
    name: str
    fields: tuple[Decl, ...]
    doc: str


@dataclass(frozen=True)
class Header:
    """Everything in header order; the dicts are keyed by C name."""

    defines: tuple[Constant[int | str], ...]
    enums: dict[str, Enum]
    opaque: dict[str, Opaque]
    structs: dict[str, Struct]
    functions: tuple[Function, ...]

    def scalar(self, base: str) -> str | None:
        """The C scalar type behind `base` (an enum's is its integer type); None if not a scalar."""
        enum = self.enums.get(base)
        base = enum.base if enum else base
        return base if base in SCALARS else None


# ---- parsing ---------------------------------------------------------------

DOC = r"/\*\*(?P<doc>(?:[^*]|\*(?!/))*)\*/\s*"
OPTIONAL_DOC = f"(?:{DOC})?"


def clean_doc(raw: str | None) -> str:
    """The text of a `/** ... */` comment without the leading stars, line by line."""
    lines = []
    for line in (raw or "").splitlines():
        line = line.strip()
        if line.startswith("*"):
            line = line[1:]
            if line.startswith(" "):
                line = line[1:]
        lines.append(line.rstrip())
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def one_line(doc: str) -> str:
    """A doc comment as one line of prose, for matching phrases in it."""
    return " ".join(doc.split())


def parse_type(text: str) -> CType:
    """`const struct mxreg_client **` -> CType(..., 'mxreg_client', 2, True)."""
    spelled = " ".join(text.split())
    tokens = [t for t in spelled.replace("*", " * ").split() if t != "struct"]
    depth = tokens.count("*")
    first_star = tokens.index("*") if depth else len(tokens)
    names = [t for t in tokens if t not in ("*", "const")]
    if len(names) != 1:
        raise HeaderError(f"cannot read the C type {spelled!r}")
    return CType(spelled, names[0], depth, "const" in tokens[:first_star])


def parse_decl(text: str, doc: str = "") -> Decl:
    """`const char *homeserver_url` -> Decl('homeserver_url', CType(...))."""
    text = " ".join(text.split())
    if "(" in text:
        raise HeaderError(f"function pointers are not supported: {text!r}")
    match = re.fullmatch(r"(?P<type>.*?[\s*])(?P<name>\w+)", text)
    if match is None:
        raise HeaderError(f"cannot read the declaration {text!r}")
    return Decl(match["name"], parse_type(match["type"]), doc)


def integer_expression(text: str) -> int:
    """The value of an enum initialiser: integers, `-`, `<<`, `|` and parentheses."""

    def value(node: ast.expr) -> int:
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.LShift, ast.BitOr)):
            left, right = value(node.left), value(node.right)
            return left << right if isinstance(node.op, ast.LShift) else left | right
        raise HeaderError(f"cannot evaluate the enum value {text.strip()!r}")

    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise HeaderError(f"cannot parse the enum value {text.strip()!r}") from None
    return value(tree.body)


def define_value(name: str, text: str) -> int | str:
    """A `#define`'s value: a decimal integer, or a string literal without escapes."""
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r'"[^"\\]*"', text):
        return text[1:-1]
    raise HeaderError(f"#define {name}: cannot read the value {text!r}")


def parse_header(text: str) -> Header:
    defines = tuple(
        Constant(m["name"], define_value(m["name"], m["value"]), clean_doc(m["doc"]))
        for m in re.finditer(OPTIONAL_DOC + r"^#define (?P<name>MXREG_\w+) (?P<value>.+)$", text, re.M)
    )

    enums: dict[str, Enum] = {}
    enum_re = re.compile(
        OPTIONAL_DOC
        + r"^enum (?P<name>\w+)\s*(?:#if[^\n]*\n\s*:\s*\w+\s*\n#endif[^\n]*\n)?\s*\{(?P<body>.*?)^\};",
        re.S | re.M,
    )
    for m in enum_re.finditer(text):
        name = m["name"]
        base = re.search(rf"typedef (\w+) {name};", text)
        if base is None or SCALARS.get(base[1], ("",))[0] != "int":
            raise HeaderError(f"enum {name} has no integer typedef")
        members = tuple(
            Constant(member["name"], integer_expression(member["value"]), clean_doc(member["doc"]))
            for member in re.finditer(OPTIONAL_DOC + r"(?P<name>\w+) = (?P<value>[^,]+),", m["body"])
        )
        if not members:
            raise HeaderError(f"enum {name} has no members")
        enums[name] = Enum(name, base[1], members, clean_doc(m["doc"]))

    opaque = {
        m["name"]: Opaque(m["name"], clean_doc(m["doc"]))
        for m in re.finditer(OPTIONAL_DOC + r"^typedef struct (?P<name>\w+) (?P=name);", text, re.M)
    }

    structs: dict[str, Struct] = {}
    struct_re = re.compile(OPTIONAL_DOC + r"^typedef struct (?P<name>\w+) \{\n(?P<body>.*?)^\} (?P=name);", re.S | re.M)
    for m in struct_re.finditer(text):
        fields = tuple(
            parse_decl(field["decl"], clean_doc(field["doc"]))
            for field in re.finditer(OPTIONAL_DOC + r"(?P<decl>[^;{}/]+);", m["body"])
        )
        if not fields or fields[0].name != "struct_size":
            raise HeaderError(f"request struct {m['name']} does not start with struct_size")
        structs[m["name"]] = Struct(m["name"], fields, clean_doc(m["doc"]))

    block = re.search(r'extern "C" \{\n#endif // __cplusplus\n(?P<body>.*)\n#ifdef __cplusplus\n\}', text, re.S)
    if block is None:
        raise HeaderError('no extern "C" block of prototypes')
    functions = []
    proto_re = re.compile(DOC + r"(?P<ret>[\w\s*]+?)\s*\b(?P<name>mxreg_\w+)\((?P<params>[^)]*)\);", re.S)
    for m in proto_re.finditer(block["body"]):
        params_text = " ".join(m["params"].split())
        params = () if params_text in ("", "void") else tuple(parse_decl(p) for p in params_text.split(","))
        functions.append(Function(m["name"], parse_type(m["ret"]), params, clean_doc(m["doc"])))
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", block["body"], flags=re.S)
    declared = len(re.findall(r"\bmxreg_\w+\(", code))
    if declared != len(functions):
        raise HeaderError(
            f"read {len(functions)} of {declared} prototypes: each needs a doc comment, "
            "or the header changed shape"
        )
    names = {fn.name for fn in functions}
    for struct in structs:
        if f"{struct}_size" not in names:
            raise HeaderError(f"request struct {struct} has no {struct}_size() for bindings to check their mirror with")
    return Header(defines, enums, opaque, structs, tuple(functions))


def load(path: Path = HEADER) -> Header:
    return parse_header(path.read_text())


# ---- writing generated files -------------------------------------------------


def sync(path: Path, generated: str, *, check: bool, command: str) -> bool:
    """Write `generated` to `path`, or with `check` only compare them (showing
    the start of the difference). False when `check` finds the file stale."""
    current = path.read_text() if path.exists() else ""
    if current == generated:
        return True
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    if check:
        diff = difflib.unified_diff(
            current.splitlines(), generated.splitlines(), str(shown), "regenerated", lineterm="", n=1
        )
        print("\n".join(list(diff)[:60]), file=sys.stderr)
        print(f"{shown} is stale: run `{command}` and commit it", file=sys.stderr)
        return False
    path.write_text(generated)
    return True


def generator_main(name: str, doc: str | None, render: Callable[[Header], dict[Path, str]]) -> int:
    """The command line every generator shares: `render` the header into
    files and write them, or with `--check` only compare (exit 1 when one is
    stale)."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed file is stale")
    args = parser.parse_args()
    try:
        files = render(load())
    except HeaderError as err:
        print(f"{name}: {HEADER}: {err}", file=sys.stderr)
        return 1
    command = f"python3 scripts/{name}.py"
    current = [sync(path, text, check=args.check, command=command) for path, text in files.items()]
    return 0 if all(current) else 1
