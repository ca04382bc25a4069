"""scripts/gen_python_table.py (on scripts/header_model.py): what it makes of
header shapes, and that the committed table is what it generates."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType

import pytest
from support import REPO_ROOT

SCRIPTS = REPO_ROOT / "scripts"
SCRIPT = SCRIPTS / "gen_python_table.py"


def load_script(name: str) -> ModuleType:
    """A module of scripts/, imported as the generator imports its siblings."""
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


model = load_script("header_model")
gen = load_script("gen_python_table")

HEADER = """
#define MXREG_ABI_VERSION 7

/**
 * Flags.
 */
enum mxreg_flag
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
  MXREG_FLAG_A = 1,
  /**
   * B.
   */
  MXREG_FLAG_B = (1 << 1),
  MXREG_FLAG_C = (1 << 2),
};
#ifndef __cplusplus
typedef uint32_t mxreg_flag;
#endif // __cplusplus

/**
 * A handle.
 */
typedef struct mxreg_thing mxreg_thing;

/**
 * A request.
 */
typedef struct mxreg_req {
  /**
   * Size.
   */
  size_t struct_size;
  /**
   * Text.
   */
  const char *text;
} mxreg_req;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * Size of `mxreg_req()`.
 */
size_t mxreg_req_size(void);

/**
 * Hands over a string.
 */
mxreg_flag mxreg_thing_save(struct mxreg_thing *thing, char **saved_out, const char *const *names, int from);

/**
 * Takes it back.
 */
void mxreg_string_free(char *string);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus
"""


def test_the_committed_table_is_current() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_synthetic_header_becomes_a_typed_table() -> None:
    text = gen.render(model.parse_header(HEADER))
    assert "MXREG_ABI_VERSION = 7" in text
    assert "class mxreg_flag(enum.IntFlag):" in text  # powers of two are flags
    assert "    B = 2\n" in text and "    C = 4\n" in text
    assert '("text", ctypes.c_char_p),' in text
    # An owned string out-parameter stays a raw address (to be freed), a
    # borrowed string array is read as bytes, a keyword parameter is renamed.
    assert (
        '_mxreg_thing_save = _loader.bind(_lib, "mxreg_thing_save", ctypes.c_uint32, '
        "[ctypes.POINTER(mxreg_thing), ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_char_p), ctypes.c_int])"
    ) in text
    assert "from_: int" in text
    assert '_mxreg_string_free = _loader.bind(_lib, "mxreg_string_free", None, [ctypes.c_void_p])' in text
    assert '"mxreg_req": (mxreg_req, mxreg_req_size),' in text
    compile(text, "_raw.py", "exec")


def test_a_struct_without_its_size_function_is_refused() -> None:
    header = HEADER.replace("size_t mxreg_req_size(void);", "")
    with pytest.raises(model.HeaderError, match="mxreg_req has no mxreg_req_size"):
        gen.render(model.parse_header(header))


def test_a_function_pointer_is_refused() -> None:
    header = HEADER.replace("void mxreg_string_free(char *string);", "void mxreg_string_free(void (*cb)(int));")
    with pytest.raises(model.HeaderError):
        gen.render(model.parse_header(header))


def test_an_unknown_type_is_refused() -> None:
    header = HEADER.replace("int from", "struct timeval when")
    with pytest.raises(model.HeaderError, match="unknown type 'timeval'"):
        gen.render(model.parse_header(header))
