#!/usr/bin/env python3
"""Generate the Python binding's raw ctypes layer from include/mxreg.h.

The header is cbindgen's output, so its shape is regular: doc comments,
`#define`s, `enum` blocks, opaque `typedef struct x x;`, request structs and
one `extern "C"` block of prototypes. This script reads exactly that shape and
writes bindings/python/src/mxreg/_raw.py: constants, enums, struct mirrors and
one typed wrapper per C function with its `argtypes`/`restype`. Anything it
does not understand (a function pointer, an unknown type) stops it with an
error instead of guessing.

    scripts/gen_python_table.py           # rewrite the table
    scripts/gen_python_table.py --check   # exit 1 when the committed table is stale

Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
HEADER = REPO_ROOT / "include" / "mxreg.h"
OUTPUT = REPO_ROOT / "bindings" / "python" / "src" / "mxreg" / "_raw.py"

# C scalar types: (ctypes type, Python annotation).
SCALARS: dict[str, tuple[str, str]] = {
    "bool": ("ctypes.c_bool", "bool"),
    "size_t": ("ctypes.c_size_t", "int"),
    "int8_t": ("ctypes.c_int8", "int"),
    "int16_t": ("ctypes.c_int16", "int"),
    "int32_t": ("ctypes.c_int32", "int"),
    "int64_t": ("ctypes.c_int64", "int"),
    "uint8_t": ("ctypes.c_uint8", "int"),
    "uint16_t": ("ctypes.c_uint16", "int"),
    "uint32_t": ("ctypes.c_uint32", "int"),
    "uint64_t": ("ctypes.c_uint64", "int"),
    "int": ("ctypes.c_int", "int"),
    "double": ("ctypes.c_double", "float"),
    "float": ("ctypes.c_float", "float"),
}


class HeaderError(Exception):
    """The header has a shape this generator does not handle."""


@dataclass
class CType:
    """A parsed C type: base name, pointer depth, const-ness of the pointee."""

    base: str
    depth: int
    const_pointee: bool


@dataclass
class Param:
    name: str
    ctype: CType


@dataclass
class Function:
    name: str
    returns: CType
    params: list[Param]
    doc: str


@dataclass
class Struct:
    name: str
    fields: list[Param]
    doc: str


@dataclass
class Enum:
    name: str
    base: str
    members: list[tuple[str, int, str]]
    doc: str


@dataclass
class Header:
    defines: list[tuple[str, str]]
    enums: list[Enum]
    opaque: list[tuple[str, str]]
    structs: list[Struct]
    functions: list[Function]


# --------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------

DOC_RE = r"/\*\*(?P<doc>(?:[^*]|\*(?!/))*)\*/\s*"


def clean_doc(raw: str) -> str:
    """The text of a `/** ... */` comment without the leading stars."""
    lines = []
    for line in raw.splitlines():
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


def parse_type(text: str) -> CType:
    """`const struct mxreg_client **` -> CType('mxreg_client', 2, True)."""
    text = text.replace("*", " * ")
    tokens = [t for t in text.split() if t != "struct"]
    depth = tokens.count("*")
    words = [t for t in tokens if t != "*"]
    first_star = tokens.index("*") if depth else len(tokens)
    const_pointee = "const" in tokens[:first_star]
    names = [w for w in words if w != "const"]
    if len(names) != 1:
        raise HeaderError(f"cannot read the C type {text.strip()!r}")
    return CType(names[0], depth, const_pointee)


def split_decl(decl: str) -> Param:
    """`const char *homeserver_url` -> Param('homeserver_url', CType(...))."""
    decl = " ".join(decl.split())
    if "(" in decl:
        raise HeaderError(f"function pointers are not supported: {decl!r}")
    match = re.fullmatch(r"(?P<type>.*?[\s*])(?P<name>\w+)", decl)
    if not match:
        raise HeaderError(f"cannot read the declaration {decl!r}")
    # A C name that is a Python keyword (`from`, `lambda`) gets a trailing underscore.
    name = match["name"] + "_" if keyword.iskeyword(match["name"]) else match["name"]
    return Param(name, parse_type(match["type"]))


def integer_expression(text: str) -> int:
    """The value of an enum initialiser: integers, `<<`, `|` and parentheses."""

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


def parse_header(text: str) -> Header:
    defines = [
        (m["name"], m["value"].strip())
        for m in re.finditer(r"^#define (?P<name>MXREG_\w+) (?P<value>.+)$", text, re.M)
    ]

    enums = []
    enum_re = re.compile(
        DOC_RE + r"enum (?P<name>\w+)\s*(?:#if[^\n]*\n\s*:\s*\w+\s*\n#endif[^\n]*\n)?\s*\{(?P<body>.*?)\};",
        re.S,
    )
    for m in enum_re.finditer(text):
        name = m["name"]
        base = re.search(rf"typedef (\w+) {name};", text)
        if not base or base.group(1) not in SCALARS:
            raise HeaderError(f"enum {name} has no integer typedef")
        members = []
        member_re = r"(?:" + DOC_RE + r")?(?P<name>\w+) = (?P<value>[^,]+),"
        for member in re.finditer(member_re, m["body"]):
            value = integer_expression(member["value"])
            members.append((member["name"], value, clean_doc(member["doc"] or "")))
        if not members:
            raise HeaderError(f"enum {name} has no members")
        enums.append(Enum(name, base.group(1), members, clean_doc(m["doc"])))

    opaque = [
        (m["name"], clean_doc(m["doc"]))
        for m in re.finditer(DOC_RE + r"typedef struct (?P<name>\w+) (?P=name);", text)
    ]

    structs = []
    struct_re = re.compile(DOC_RE + r"typedef struct (?P<name>\w+) \{(?P<body>.*?)\} (?P=name);", re.S)
    for m in struct_re.finditer(text):
        fields = []
        for field in re.finditer(DOC_RE + r"(?P<decl>[^;]+);", m["body"]):
            param = split_decl(field["decl"])
            fields.append(param)
        structs.append(Struct(m["name"], fields, clean_doc(m["doc"])))

    block = re.search(r'extern "C" \{\n#endif // __cplusplus\n(?P<body>.*)\n#ifdef __cplusplus\n\}', text, re.S)
    if not block:
        raise HeaderError('no extern "C" block')
    functions = []
    proto_re = re.compile(DOC_RE + r"(?P<ret>[\w\s*]+?)\s*\b(?P<name>mxreg_\w+)\((?P<params>[^)]*)\);", re.S)
    for m in proto_re.finditer(block["body"]):
        params_text = " ".join(m["params"].split())
        params = [] if params_text in ("", "void") else [split_decl(p) for p in params_text.split(",")]
        functions.append(Function(m["name"], parse_type(m["ret"]), params, clean_doc(m["doc"])))
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", block["body"], flags=re.S)
    declared = len(re.findall(r"\bmxreg_\w+\(", code))
    if declared != len(functions):
        raise HeaderError(f"read {len(functions)} of {declared} prototypes: the header changed shape")
    return Header(defines, enums, opaque, structs, functions)


# --------------------------------------------------------------------------
# mapping to ctypes
# --------------------------------------------------------------------------


class TypeMap:
    """Maps parsed C types to ctypes expressions and Python annotations."""

    def __init__(self, header: Header) -> None:
        self.enum_bases = {e.name: e.base for e in header.enums}
        self.records = {name for name, _ in header.opaque} | {s.name for s in header.structs}

    def scalar(self, base: str) -> tuple[str, str] | None:
        base = self.enum_bases.get(base, base)
        return SCALARS.get(base)

    def pointer_target(self, base: str) -> str:
        if base in self.records:
            return base
        scalar = self.scalar(base)
        if scalar:
            return scalar[0]
        raise HeaderError(f"unknown pointee type {base!r}")

    def ctypes_expr(self, t: CType, *, is_return: bool) -> str:
        if t.depth == 0:
            if t.base == "void":
                return "None"
            scalar = self.scalar(t.base)
            if scalar:
                return scalar[0]
            raise HeaderError(f"unknown type {t.base!r}")
        if t.base == "char":
            # `const char *` is a borrowed string, read as bytes. A non-const
            # `char *` is a string the library hands over (or takes back, as
            # in `mxreg_string_free`): keep it a raw address so that the
            # caller can read it and then free it.
            text = "ctypes.c_char_p" if t.const_pointee else "ctypes.c_void_p"
            return _pointer(text, t.depth - 1)
        if t.base == "void":
            return _pointer("ctypes.c_void_p", t.depth - 1)
        return _pointer(self.pointer_target(t.base), t.depth)

    def pointee_annotation(self, t: CType) -> str:
        """The type a pointer of `t` points to, as written in an annotation."""
        if t.base == "char":
            return "ctypes.c_char_p" if t.const_pointee else "ctypes.c_void_p"
        if t.base == "void":
            return "ctypes.c_void_p"
        return self.pointer_target(t.base)

    def annotation(self, t: CType, *, is_return: bool, is_field: bool = False) -> str:
        expr = self.ctypes_expr(t, is_return=is_return)
        if expr == "None":
            return "None"
        if expr == "ctypes.c_char_p":
            return "bytes | None"
        if expr == "ctypes.c_void_p":
            return "int | None"
        if t.depth == 0:
            return self.scalar(t.base)[1]  # type: ignore[index]
        depth = t.depth - 1 if t.base in ("char", "void") else t.depth
        pointer = _pointer_annotation(self.pointee_annotation(t), depth)
        return pointer if is_return or is_field else f"{pointer} | ctypes._CArgObject | None"


def _pointer_annotation(target: str, depth: int) -> str:
    for _ in range(depth):
        target = f"ctypes._Pointer[{target}]"
    return target


def _pointer(target: str, depth: int) -> str:
    for _ in range(depth):
        target = f"ctypes.POINTER({target})"
    return target


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------


def docstring(text: str, indent: str) -> list[str]:
    if not text:
        return []
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = text.splitlines()
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out += [f"{indent}{line}" if line else "" for line in lines[1:]]
    out.append(f'{indent}"""')
    return out


def python_literal(value: str) -> str:
    if re.fullmatch(r"-?\d+", value):
        return value
    if re.fullmatch(r'"[^"\\]*"', value):
        return value
    raise HeaderError(f"cannot translate #define value {value!r}")


def render(header: Header) -> str:
    types = TypeMap(header)
    out: list[str] = [
        '"""The raw C API of libmxreg as ctypes declarations.',
        "",
        "GENERATED by scripts/gen_python_table.py from include/mxreg.h: do not",
        "edit. `make test` fails when this file is stale; regenerate it with",
        "`python3 scripts/gen_python_table.py`.",
        "",
        "Everything here mirrors the header one to one. The idiomatic API is the",
        "`mxreg` package; use this module only for what it does not wrap yet.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import ctypes",
        "import enum",
        "",
        "from . import _loader",
        "",
    ]
    for name, value in header.defines:
        out.append(f"{name} = {python_literal(value)}")
    out.append("")

    for e in header.enums:
        prefix = e.name.upper() + "_"
        values = [value for _, value, _ in e.members]
        # Distinct powers of two are flags meant to be combined with `|`.
        is_flags = len(values) > 2 and all(v > 0 and v & (v - 1) == 0 for v in values)
        out += ["", f"class {e.name}(enum.{'IntFlag' if is_flags else 'IntEnum'}):"]
        out += docstring(e.doc, "    ")
        out.append("")
        for member, number, doc in e.members:
            if not member.startswith(prefix):
                raise HeaderError(f"{member} does not start with {prefix}")
            out.append(f"    {member.removeprefix(prefix)} = {number}")
            out += docstring(doc, "    ")
        out.append("")
        out.append("")
        for member, number, _ in e.members:
            out.append(f"{member} = {number}")
        out.append("")

    for name, doc in header.opaque:
        out += ["", f"class {name}(ctypes.Structure):"]
        out += docstring(doc or "An opaque handle.", "    ")
        out.append("")

    sized_structs = []
    for s in header.structs:
        if not s.fields or s.fields[0].name != "struct_size":
            raise HeaderError(f"request struct {s.name} does not start with struct_size")
        if not any(f.name == f"{s.name}_size" for f in header.functions):
            raise HeaderError(f"request struct {s.name} has no {s.name}_size() to check it against")
        sized_structs.append(s.name)
        out += ["", f"class {s.name}(ctypes.Structure):"]
        out += docstring(s.doc, "    ")
        out.append("")
        out.append("    _fields_ = [")
        for f in s.fields:
            out.append(f'        ("{f.name}", {types.ctypes_expr(f.ctype, is_return=False)}),')
        out.append("    ]")
        for f in s.fields:
            out.append(f"    {f.name}: {types.annotation(f.ctype, is_return=False, is_field=True)}")
        out.append("")

    out += [
        "",
        "# Loading checks the ABI version before any other symbol is bound.",
        "_lib = _loader.open_library(MXREG_ABI_VERSION)",
        "",
    ]

    for fn in header.functions:
        restype = types.ctypes_expr(fn.returns, is_return=True)
        argtypes = ", ".join(types.ctypes_expr(p.ctype, is_return=False) for p in fn.params)
        params = ", ".join(f"{p.name}: {types.annotation(p.ctype, is_return=False)}" for p in fn.params)
        names = ", ".join(p.name for p in fn.params)
        returns = types.annotation(fn.returns, is_return=True)
        out += [
            "",
            f'_{fn.name} = _loader.bind(_lib, "{fn.name}", {restype}, [{argtypes}])',
            "",
            "",
            f"def {fn.name}({params}) -> {returns}:",
        ]
        out += docstring(fn.doc, "    ")
        if returns == "None":
            out.append(f"    _{fn.name}({names})")
        else:
            out.append(f"    result: {returns} = _{fn.name}({names})")
            out.append("    return result")
        out.append("")

    out += ["", "# Every mirrored request struct, with the function giving its size in the library."]
    out.append("STRUCT_SIZE_FUNCTIONS = {")
    for name in sized_structs:
        out.append(f'    "{name}": ({name}, {name}_size),')
    out.append("}")
    out += ["", "_loader.check_struct_sizes(STRUCT_SIZE_FUNCTIONS)", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed table is stale")
    parser.add_argument("--header", type=Path, default=HEADER, help="the C header (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the Python module (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        generated = render(parse_header(args.header.read_text()))
    except HeaderError as err:
        print(f"gen_python_table: {args.header}: {err}", file=sys.stderr)
        return 1
    current = args.output.read_text() if args.output.exists() else ""
    if args.check:
        if current == generated:
            return 0
        diff = difflib.unified_diff(
            current.splitlines(), generated.splitlines(), str(args.output), "regenerated", lineterm="", n=1
        )
        print("\n".join(list(diff)[:60]), file=sys.stderr)
        print(
            f"{args.output} is stale: run `python3 scripts/gen_python_table.py` and commit it",
            file=sys.stderr,
        )
        return 1
    if current != generated:
        args.output.write_text(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
