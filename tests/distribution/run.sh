#!/usr/bin/env bash
# Distribution suite: `make install` into a temporary prefix (and once more
# under DESTDIR), then checks what a C or C++ project gets: the file layout,
# the soname and its symlinks, that only the header's mxreg_ functions are
# exported, the pkg-config and CMake metadata, the header as C99 and C++17
# (included twice), and four consumers -- pkg-config and CMake, each linked
# shared and static -- whose C and C++ programs register an account on the
# local Synapse (MXREG_HS_OPEN).
#
#   bash tests/distribution/run.sh    (`make distribution-suite` runs it)
#
# Ends with "distribution: N passed, N failed"; exits 1 when anything failed
# and keeps its work directory for a look.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/distribution"
make_cmd=${MAKE:-make}
cc=${CC:-cc}
cxx=${CXX:-c++}
strict=(-Wall -Wextra -Wpedantic -Werror)
passed=0
failed=0

for tool in "$cc" "$cxx" cmake pkg-config readelf nm ldd; do
  if ! command -v "$tool" >/dev/null; then
    echo "distribution: '$tool' is missing (make prerequisites-distribution installs it)" >&2
    exit 1
  fi
done
if [ -z "${MXREG_HS_OPEN:-}" ]; then
  echo "distribution: MXREG_HS_OPEN is not set: run through make test-distribution, or export" \
    "the output of 'python3 scripts/homeserver.py env'" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mxreg-distribution.XXXXXX")
prefix="$work/prefix"
lib="$prefix/lib"
mkdir -p "$work/logs"
finish() {
  echo "distribution: $passed passed, $failed failed"
  if [ "$failed" -eq 0 ]; then
    rm -rf "$work"
  else
    echo "distribution: logs and builds kept in $work" >&2
    exit 1
  fi
}
trap finish EXIT

# check NAME COMMAND...: one test. COMMAND's output goes to a log, shown
# when it fails.
check() {
  local name=$1 log
  shift
  log="$work/logs/$((passed + failed + 1)).log"
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name" >&2
    tail -n 40 "$log" | sed 's/^/     | /' >&2
  fi
}

expect_eq() { # WHAT ACTUAL EXPECTED
  if [ "$2" != "$3" ]; then
    echo "$1: got '$2', expected '$3'"
    return 1
  fi
}

# --- install ----------------------------------------------------------------

install_into_prefix() {
  "$make_cmd" --no-print-directory -C "$root" install PREFIX="$prefix"
}
check "make install PREFIX=<tmp>" install_into_prefix
if [ ! -f "$prefix/include/mxreg.h" ]; then
  exit 1
fi

# What to expect, from the installed header: semantic versioning puts the
# ABI in the major, or before 1.0 in major.minor.
header_macro() {
  sed -n "s/^#define $1 \"*\([^\"]*\)\"*\$/\\1/p" "$prefix/include/mxreg.h"
}
version=$(header_macro MXREG_VERSION)
major=$(header_macro MXREG_VERSION_MAJOR)
minor=$(header_macro MXREG_VERSION_MINOR)
patch=$(header_macro MXREG_VERSION_PATCH)
if [ "$major" = 0 ]; then
  soname="libmxreg.so.0.$minor"
else
  soname="libmxreg.so.$major"
fi
realname="libmxreg.so.$version"
echo "     mxreg $version, expected soname $soname"

# --- what was installed -----------------------------------------------------

installed_files() { # ROOT: every file and symlink under ROOT, relative
  (cd "$1" && find . ! -type d | sed 's|^\./||' | sort)
}

expected_files() {
  printf '%s\n' include/mxreg.h lib/libmxreg.a lib/libmxreg.so "lib/$soname" "lib/$realname" \
    lib/pkgconfig/mxreg.pc lib/cmake/mxreg/mxregConfig.cmake \
    lib/cmake/mxreg/mxregConfigVersion.cmake | sort
}

check_layout() {
  diff <(expected_files) <(installed_files "$prefix") || return 1
  cmp "$root/include/mxreg.h" "$prefix/include/mxreg.h" || return 1
  [ -f "$lib/$realname" ] && [ ! -L "$lib/$realname" ] || {
    echo "$realname is not a regular file"
    return 1
  }
  expect_eq "$soname ->" "$(readlink "$lib/$soname")" "$realname" &&
    expect_eq "libmxreg.so ->" "$(readlink "$lib/libmxreg.so")" "$soname"
}
check "layout: header, $realname <- $soname <- libmxreg.so, libmxreg.a, .pc, CMake package" \
  check_layout

check_soname() {
  local actual
  actual=$(readelf -d "$lib/$realname" | sed -n 's/.*Library soname: \[\(.*\)\]$/\1/p')
  expect_eq "DT_SONAME of $realname" "$actual" "$soname"
}
check "soname is $soname" check_soname

check_exports() {
  local exported declared extra missing
  exported=$(nm -D --defined-only "$lib/$realname" | awk '{ print $3 }' | sort)
  # Function names as the preprocessor sees them: comments are gone.
  declared=$("$cc" -E -P -x c "$prefix/include/mxreg.h" | grep -oE '\bmxreg_[a-z0-9_]+\(' |
    tr -d '(' | sort -u)
  extra=$(comm -23 <(echo "$exported") <(echo "$declared"))
  missing=$(comm -13 <(echo "$exported") <(echo "$declared"))
  echo "$(echo "$exported" | wc -l) exported, $(echo "$declared" | wc -l) declared in mxreg.h"
  [ -n "$declared" ] || {
    echo "no function found in mxreg.h"
    return 1
  }
  if [ -n "$extra" ] || [ -n "$missing" ]; then
    echo "exported but not in mxreg.h:" $extra
    echo "in mxreg.h but not exported:" $missing
    return 1
  fi
}
check "exports exactly the functions mxreg.h declares, nothing else" check_exports

check_destdir() {
  local stage="$work/stage" final=/opt/mxreg-distribution-test
  "$make_cmd" --no-print-directory -C "$root" install DESTDIR="$stage" PREFIX="$final" ||
    return 1
  diff <(expected_files) <(installed_files "$stage$final") || return 1
  [ ! -e "$final" ] || {
    echo "$final was written outside DESTDIR"
    return 1
  }
  if grep -l "$stage" "$stage$final/lib/pkgconfig/mxreg.pc" "$stage$final"/lib/cmake/mxreg/*; then
    echo "the staging directory leaked into the files above"
    return 1
  fi
  grep -qx "prefix=$final" "$stage$final/lib/pkgconfig/mxreg.pc" || {
    echo "mxreg.pc does not say prefix=$final"
    return 1
  }
}
check "make install DESTDIR=<stage> PREFIX=/opt/...: staged, paths say /opt/..." check_destdir

# --- pkg-config and CMake metadata ------------------------------------------

pc() {
  PKG_CONFIG_PATH="$lib/pkgconfig" pkg-config "$@"
}

# Its arguments joined by single spaces (pkg-config pads its output).
words() {
  echo "$*"
}

check_pkgconfig_metadata() {
  pc --validate mxreg || return 1
  expect_eq "--modversion" "$(pc --modversion mxreg)" "$version" &&
    expect_eq "--cflags" "$(words $(pc --cflags mxreg))" "-I$prefix/include" &&
    expect_eq "--libs" "$(words $(pc --libs mxreg))" "-L$lib -lmxreg" || return 1
  pc --exists "mxreg >= $major.$minor" || {
    echo "mxreg >= $major.$minor not met"
    return 1
  }
  ! pc --exists "mxreg >= $major.$((minor + 1))" || {
    echo "mxreg >= $major.$((minor + 1)) met by $version"
    return 1
  }
  case $(words $(pc --static --libs mxreg)) in
    "-L$lib -lmxreg -l"*) ;;
    *)
      echo "--static --libs adds no Libs.private: $(pc --static --libs mxreg)"
      return 1
      ;;
  esac
}
check "pkg-config: version $version, cflags, libs, Libs.private" check_pkgconfig_metadata

# glibc 2.34+ folds libpthread, libdl, librt and libutil into libc, and the
# compiler driver adds libgcc_s by itself, so an ordinary static link works
# even with Libs.private empty. With -nodefaultlibs only the listed libraries
# are linked: this works only if Libs.private names all that libmxreg.a needs.
check_libs_private() {
  local program="$work/libs-private" flags=() word
  for word in $(pc --static --libs mxreg); do
    [ "$word" = -lmxreg ] && word=-l:libmxreg.a
    flags+=("$word")
  done
  echo "linking with: ${flags[*]}"
  "$cc" -std=c99 "${strict[@]}" $(pc --cflags mxreg) -nodefaultlibs -o "$program" \
    "$here/header/include_twice.c" "${flags[@]}" && "$program"
}
check "pkg-config: Libs.private is all libmxreg.a needs (-nodefaultlibs link)" check_libs_private

# cmake_find VERSION PREFIX [WHAT]: the "-- mxreg-<WHAT> ..." line that
# find_package(mxreg VERSION) leads to, without the "-- ".
cmake_find() {
  local dir
  dir=$(mktemp -d "$work/cmake-version.XXXXXX")
  cmake -S "$here/cmake-version" -B "$dir" -DCMAKE_PREFIX_PATH="$2" \
    -DMXREG_FIND_VERSION="$1" | sed -n "s/^-- \(mxreg-${3:-\(not-\)*found}\b.*\)\$/\1/p"
}

check_cmake_versions() {
  local accepted=("" "$major" "$major.$minor" "$version")
  local refused=("$major.$minor.$((patch + 1))" "$major.$((minor + 1))" "$((major + 1)).0")
  local wanted
  # Semantic versioning before 1.0: another minor is another ABI.
  [ "$major" != 0 ] || [ "$minor" = 0 ] || refused+=("0.$((minor - 1))")
  [ "$major" != 0 ] || accepted=("" "$major.$minor" "$version")
  for wanted in "${accepted[@]}"; do
    expect_eq "find_package(mxreg $wanted)" "$(cmake_find "$wanted" "$prefix")" \
      "mxreg-found $version" || return 1
  done
  for wanted in "${refused[@]}"; do
    expect_eq "find_package(mxreg $wanted)" "$(cmake_find "$wanted" "$prefix")" \
      "mxreg-not-found" || return 1
  done
  echo "accepted: (any) ${accepted[*]:1}; refused: ${refused[*]}"
}
check "CMake: find_package accepts $major.$minor and $version, refuses other ABIs" \
  check_cmake_versions

check_cmake_static_libs() {
  local from_pc
  from_pc=$(words $(pc --static --libs mxreg))
  from_pc=${from_pc#"-L$lib -lmxreg "}
  expect_eq "mxreg::mxreg_static INTERFACE_LINK_LIBRARIES" \
    "$(cmake_find "" "$prefix" static-libs)" "mxreg-static-libs $(sed 's/-l//g; s/ /;/g' <<<"$from_pc")"
}
check "CMake: mxreg::mxreg_static links the system libraries of Libs.private" \
  check_cmake_static_libs

# The DESTDIR install's files point at /opt/..., which does not exist.
check_cmake_incomplete() {
  local dir out
  dir=$(mktemp -d "$work/cmake-incomplete.XXXXXX")
  out=$(cmake -S "$here/cmake-version" -B "$dir" -DCMAKE_PREFIX_PATH="$work/stage/opt/mxreg-distribution-test" 2>&1)
  echo "$out"
  grep -q "mxreg-not-found" <<<"$out"
}
check "CMake: an incomplete install is reported as not found" check_cmake_incomplete

# --- the header -------------------------------------------------------------

# LANGUAGE STANDARD COMPILER
check_header() {
  local program="$work/header-$2"
  "$3" -x "$1" "-std=$2" "${strict[@]}" -I"$prefix/include" -o "$program" \
    "$here/header/include_twice.c" -x none -L"$lib" -lmxreg -Wl,-rpath,"$lib" && "$program"
}
check "header: C99, included twice, -Wall -Wextra -Wpedantic -Werror" check_header c c99 "$cc"
check "header: C++17, included twice, -Wall -Wextra -Wpedantic -Werror" \
  check_header c++ c++17 "$cxx"

# --- four consumers -----------------------------------------------------------

build_pkgconfig_consumer() { # LINK OUT
  PKG_CONFIG_PATH="$lib/pkgconfig" "$make_cmd" --no-print-directory -C "$here/pkgconfig" \
    LINK="$1" OUT="$2" EXAMPLES="$root/examples" CC="$cc" CXX="$cxx"
}

build_cmake_consumer() { # LINK OUT
  local static=OFF
  [ "$1" = static ] && static=ON
  cmake -S "$here/cmake" -B "$2" -DCMAKE_PREFIX_PATH="$prefix" -DMXREG_LINK_STATIC="$static" \
    -DMXREG_REQUIRED_VERSION="$major.$minor" -DMXREG_EXAMPLES_DIR="$root/examples" \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" || return 1
  expect_eq "mxreg_DIR" "$(sed -n 's/^mxreg_DIR:PATH=//p' "$2/CMakeCache.txt")" \
    "$lib/cmake/mxreg" || return 1
  cmake --build "$2"
}

# LINK PROGRAM: linked the way asked, against the temporary prefix.
check_program_linkage() {
  local needed
  needed=$(readelf -d "$2" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
  echo "$2 needs: $(echo $needed)"
  if [ "$1" = shared ]; then
    grep -qx "$soname" <<<"$needed" || {
      echo "$2 does not need $soname"
      return 1
    }
    grep -q "$soname => $lib/$soname " <<<"$(ldd "$2")" || {
      ldd "$2"
      echo "$soname does not resolve to $lib"
      return 1
    }
  else
    if grep -q libmxreg <<<"$needed"; then
      echo "$2 needs a shared libmxreg"
      return 1
    fi
    grep -q ' T mxreg_client_register$' <<<"$(nm "$2")" || {
      echo "$2 does not contain mxreg_client_register"
      return 1
    }
  fi
}

check_linkage() { # LINK BUILD-DIR
  check_program_linkage "$1" "$2/register" && check_program_linkage "$1" "$2/register_cpp"
}

user_counter=0
# PROGRAM: registers a fresh account; retries while the shared server
# rate-limits.
check_registers() {
  local user out attempt
  user_counter=$((user_counter + 1))
  user="mxdist_$$_$(date +%s)_$user_counter"
  for attempt in 1 2 3 4 5; do
    out=$("$1" "$MXREG_HS_OPEN" "$user" "Dist-Passw0rd-$$" 2>&1)
    echo "$out"
    grep -q MXREG_RESULT_RATE_LIMITED <<<"$out" || break
    sleep 2
  done
  grep -q "^{\"user_id\":\"@$user:[^\"]*\",\"device_id\":\"[^\"]*\"," <<<"$out"
}

for consumer in pkgconfig cmake; do
  for link in shared static; do
    out="$work/build/$consumer-$link"
    check "$consumer $link: builds register.c and register.cpp" \
      "build_${consumer}_consumer" "$link" "$out"
    check "$consumer $link: linked $link against the temporary prefix" \
      check_linkage "$link" "$out"
    check "$consumer $link: C program registers an account" check_registers "$out/register"
    check "$consumer $link: C++ program registers an account" \
      check_registers "$out/register_cpp"
  done
done
