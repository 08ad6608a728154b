# SQLite for nbaprops: built here from its amalgamation, or the system's libsqlite3.
#
# Why build it. Debian 12's libsqlite3 (3.40.1) is compiled from SQLite's separate source files, exports
# its ~1,000 internal functions and calls them through the PLT, and leaves lookaside memory out
# (OMIT_LOOKASIDE). The same library built from the amalgamation, one translation unit with its internals
# static, is what SQLite's authors ship. On a rerun of PSZA+TDZA over a real season it takes 15 % fewer
# instructions to commit the same rows, and the commits took 10-20 % less time (bench/README.md, session 66's
# rows).
#
# One copy per process. SQLite keeps the POSIX locks of a file in a per-process table; two copies of it in
# one process would not see each other's locks, so a warehouse written through one while Python's sqlite3
# module reads it through the other could be corrupted (sqlite.org/howtocorrupt.html, 2.2.1). So the
# bundled library is a shared library with the system's soname, libsqlite3.so.0, installed beside the
# extension module (which finds it by RUNPATH $ORIGIN), and exporting every public function the Debian
# build does (the same ENABLE_* options). The dynamic loader loads one libsqlite3.so.0 per process: ours
# when nbaprops is imported first (Python's sqlite3 module then uses it too), the system's when something
# loaded that one first (IPython does, for its history): nbaprops then runs on it, as it did before.
# `nbaprops --version` and nbaprops._core.sqlite_library() say which one a process has.
#
# Where the amalgamation comes from. No Debian 12 package ships it. The sdist of the Python package
# sqlean.py on PyPI carries SQLite 3.50.4's amalgamation unmodified, followed by a few lines of its own
# after SQLite's closing line (an init hook), which are cut off here. The sdist is downloaded once into
# $NBAPROPS_CACHE_DIR (default ~/.cache/nbaprops), checked against its SHA-256 and the SQLITE_SOURCE_ID of
# 3.50.4. Offline: -DNBAPROPS_SQLITE_AMALGAMATION_DIR=<folder with sqlite3.c and sqlite3.h> (say, from
# sqlite.org's sqlite-amalgamation-3500400.zip), or -DNBAPROPS_BUNDLED_SQLITE=OFF for the system library.
# -DNBAPROPS_SQLITE_SDIST_URL=<url> downloads the same file from a mirror (its hash is checked all the same).
# When the download fails, or its hash differs, the build warns and uses the system library: slower, the same
# values. A cache folder that cannot be written gives way to the build folder's.
#
# Sets NBAPROPS_SQLITE3 (the target to link), and NBAPROPS_SQLITE3_BUNDLED (ON when it is ours).

# Sanitizer and fuzzer builds test our code, on the system's library (no ten-megabyte C file to instrument).
if(NBAPROPS_ENABLE_SANITIZERS OR NBAPROPS_ENABLE_ASAN OR NBAPROPS_BUILD_FUZZERS)
  set(nbaprops_bundled_default OFF)
else()
  set(nbaprops_bundled_default ON)
endif()
option(NBAPROPS_BUNDLED_SQLITE "Build SQLite 3.50.4 from its amalgamation (else: the system's libsqlite3)"
       ${nbaprops_bundled_default})
set(NBAPROPS_SQLITE_AMALGAMATION_DIR "" CACHE PATH "A folder with SQLite 3.50.4's sqlite3.c and sqlite3.h (offline)")

set(NBAPROPS_SQLITE_VERSION "3.50.4")
set(NBAPROPS_SQLITE_SOURCE_ID "2025-07-30 19:33:53 4d8adfb30e03f9cf27f800a2c1ba3c48fb4ca1b08b0f5ed59a4d5ecbf45e20a3")
set(NBAPROPS_SQLITE_SDIST "sqlean_py-3.50.4.5")
set(NBAPROPS_SQLITE_SDIST_URL
    "https://files.pythonhosted.org/packages/ec/61/5332f923ec20c0b3ae9b3cf05731049bd4d17714dce1dbbc69129264664e/sqlean_py-3.50.4.5.tar.gz"
    CACHE STRING "Where the sqlean.py sdist holding SQLite's amalgamation is downloaded from (a mirror of PyPI's file)")
set(NBAPROPS_SQLITE_SDIST_SHA256 "9764b565e7ab430ab6e9e43cb2816199c2b39926dffc93c212a52f0019278459")

# The amalgamation's folder in @p out_var ("" when it cannot be had, with a warning saying why).
function(nbaprops_sqlite_amalgamation out_var)
  set(${out_var} "" PARENT_SCOPE)
  set(dest "${CMAKE_BINARY_DIR}/_deps/sqlite-${NBAPROPS_SQLITE_VERSION}")
  if(NBAPROPS_SQLITE_AMALGAMATION_DIR)
    set(c_in "${NBAPROPS_SQLITE_AMALGAMATION_DIR}/sqlite3.c")
    set(h_in "${NBAPROPS_SQLITE_AMALGAMATION_DIR}/sqlite3.h")
  else()
    if(DEFINED ENV{NBAPROPS_CACHE_DIR} AND NOT "$ENV{NBAPROPS_CACHE_DIR}" STREQUAL "")
      set(cache "$ENV{NBAPROPS_CACHE_DIR}")
    elseif(DEFINED ENV{HOME} AND NOT "$ENV{HOME}" STREQUAL "")
      set(cache "$ENV{HOME}/.cache/nbaprops")
    else()
      set(cache "${CMAKE_BINARY_DIR}/_deps/cache")  # no home: this build's own folder
    endif()
    # A cache folder that cannot be written (a read-only home, say): this build's own folder instead.
    execute_process(COMMAND "${CMAKE_COMMAND}" -E make_directory "${cache}" RESULT_VARIABLE made OUTPUT_QUIET ERROR_QUIET)
    if(made EQUAL 0)
      execute_process(COMMAND "${CMAKE_COMMAND}" -E touch "${cache}/.writable" RESULT_VARIABLE made OUTPUT_QUIET
                      ERROR_QUIET)
    endif()
    if(NOT made EQUAL 0)
      set(cache "${CMAKE_BINARY_DIR}/_deps/cache")
    endif()
    set(archive "${cache}/${NBAPROPS_SQLITE_SDIST}.tar.gz")
    if(EXISTS "${archive}")
      file(SHA256 "${archive}" have)
      if(NOT have STREQUAL NBAPROPS_SQLITE_SDIST_SHA256)
        file(REMOVE "${archive}")
      endif()
    endif()
    if(NOT EXISTS "${archive}")
      message(STATUS "nbaprops: downloading SQLite ${NBAPROPS_SQLITE_VERSION}'s amalgamation (${NBAPROPS_SQLITE_SDIST})")
      # The hash is checked here, not by file(DOWNLOAD ... EXPECTED_HASH), which fails the configure when the
      # download does: offline, the build is to go on with the system's library.
      file(DOWNLOAD "${NBAPROPS_SQLITE_SDIST_URL}" "${archive}.part" STATUS status TIMEOUT 120)
      list(GET status 0 code)
      list(GET status 1 why)
      if(code EQUAL 0)
        file(SHA256 "${archive}.part" got)
        if(NOT got STREQUAL NBAPROPS_SQLITE_SDIST_SHA256)
          set(code 1)
          set(why "SHA-256 ${got}, expected ${NBAPROPS_SQLITE_SDIST_SHA256}")
        endif()
      endif()
      if(NOT code EQUAL 0)
        file(REMOVE "${archive}.part")
        message(WARNING "nbaprops: cannot download ${NBAPROPS_SQLITE_SDIST_URL} (${why}); building on the system's "
                        "libsqlite3 instead (slower commits, the same values). Offline, pass "
                        "-DNBAPROPS_SQLITE_AMALGAMATION_DIR=<folder with sqlite3.c and sqlite3.h>.")
        return()
      endif()
      file(RENAME "${archive}.part" "${archive}")
    endif()
    set(unpacked "${CMAKE_BINARY_DIR}/_deps/sqlean-sdist")
    file(REMOVE_RECURSE "${unpacked}")
    file(ARCHIVE_EXTRACT INPUT "${archive}" DESTINATION "${unpacked}"
         PATTERNS "${NBAPROPS_SQLITE_SDIST}/sqlite/sqlite3.c" "${NBAPROPS_SQLITE_SDIST}/sqlite/sqlite3.h")
    set(c_in "${unpacked}/${NBAPROPS_SQLITE_SDIST}/sqlite/sqlite3.c")
    set(h_in "${unpacked}/${NBAPROPS_SQLITE_SDIST}/sqlite/sqlite3.h")
  endif()
  foreach(f IN ITEMS "${c_in}" "${h_in}")
    if(NOT EXISTS "${f}")
      message(FATAL_ERROR "nbaprops: ${f} not found (SQLite's amalgamation: sqlite3.c and sqlite3.h)")
    endif()
  endforeach()
  # SQLite's own text ends at its closing line; whatever follows it is not SQLite's and is cut off.
  file(READ "${c_in}" text)
  set(closing "/************************** End of sqlite3.c ******************************/")
  string(FIND "${text}" "${closing}" at)
  string(FIND "${text}" "#define SQLITE_SOURCE_ID      \"${NBAPROPS_SQLITE_SOURCE_ID}\"" id_at)
  if(at LESS 0 OR id_at LESS 0)
    message(FATAL_ERROR "nbaprops: ${c_in} is not SQLite ${NBAPROPS_SQLITE_VERSION}'s amalgamation "
                        "(no closing line, or not source id ${NBAPROPS_SQLITE_SOURCE_ID})")
  endif()
  string(LENGTH "${closing}" closing_length)
  math(EXPR keep "${at} + ${closing_length}")
  string(SUBSTRING "${text}" 0 ${keep} text)
  file(MAKE_DIRECTORY "${dest}")
  # Rewritten only when it differs: an unchanged file keeps its time stamp, so a reconfigure rebuilds nothing.
  file(WRITE "${dest}/sqlite3.c.new" "${text}\n")
  file(COPY_FILE "${dest}/sqlite3.c.new" "${dest}/sqlite3.c" ONLY_IF_DIFFERENT)
  file(REMOVE "${dest}/sqlite3.c.new")
  file(COPY_FILE "${h_in}" "${dest}/sqlite3.h" ONLY_IF_DIFFERENT)
  set(${out_var} "${dest}" PARENT_SCOPE)
endfunction()

set(NBAPROPS_SQLITE3_BUNDLED OFF)
if(NBAPROPS_BUNDLED_SQLITE)
  nbaprops_sqlite_amalgamation(NBAPROPS_SQLITE_DIR)
  if(NBAPROPS_SQLITE_DIR)
    enable_language(C)
    if(NOT DEFINED CMAKE_C_COMPILER_LAUNCHER)
      set(CMAKE_C_COMPILER_LAUNCHER "${CMAKE_CXX_COMPILER_LAUNCHER}")  # ccache, as for C++ (CMakeLists.txt)
    endif()
    add_library(nbaprops_sqlite3 SHARED "${NBAPROPS_SQLITE_DIR}/sqlite3.c")
    target_include_directories(nbaprops_sqlite3 SYSTEM PUBLIC "${NBAPROPS_SQLITE_DIR}")
    # Debian 12's feature set (its public functions all exist here too, for any module of the process that
    # loads this library in its place), but for lookaside memory, which Debian leaves out, and the memory
    # statistics, which nbaprops turns off anyway (sqlite_warehouse.cpp) and nothing reads.
    target_compile_definitions(nbaprops_sqlite3 PRIVATE
      SQLITE_THREADSAFE=1 SQLITE_DEFAULT_MEMSTATUS=0 SQLITE_SECURE_DELETE SQLITE_ENABLE_PREUPDATE_HOOK SQLITE_ENABLE_SESSION
      SQLITE_ENABLE_COLUMN_METADATA SQLITE_ENABLE_UNLOCK_NOTIFY SQLITE_ENABLE_UPDATE_DELETE_LIMIT
      SQLITE_ENABLE_DBSTAT_VTAB SQLITE_ENABLE_MATH_FUNCTIONS SQLITE_ENABLE_STMTVTAB SQLITE_ENABLE_LOAD_EXTENSION
      SQLITE_ENABLE_FTS3 SQLITE_ENABLE_FTS3_PARENTHESIS SQLITE_ENABLE_FTS3_TOKENIZER SQLITE_ENABLE_FTS4
      SQLITE_ENABLE_FTS5 SQLITE_ENABLE_RTREE SQLITE_SOUNDEX SQLITE_LIKE_DOESNT_MATCH_BLOBS SQLITE_USE_URI
      SQLITE_TEMP_STORE=1 SQLITE_DEFAULT_RECURSIVE_TRIGGERS SQLITE_MAX_VARIABLE_NUMBER=250000
      SQLITE_MAX_COLUMN=2000 SQLITE_MAX_SCHEMA_RETRY=25 SQLITE_MAX_WORKER_THREADS=8
      SQLITE_DEFAULT_SECTOR_SIZE=4096 SQLITE_MAX_MMAP_SIZE=0x7fff0000 SQLITE_MAX_PAGE_COUNT=1073741823
      SQLITE_MAX_DEFAULT_PAGE_SIZE=32768 SQLITE_MAX_VDBE_OP=250000000)
    # -O2, as SQLite's authors build it, after the build type's flags: -O3 (CMake's Release) made the commits of
    # a PSZA+TDZA rerun take 7 % more instructions under callgrind.
    target_compile_options(nbaprops_sqlite3 PRIVATE -O2 -w)
    find_package(Threads REQUIRED)
    target_link_libraries(nbaprops_sqlite3 PRIVATE Threads::Threads ${CMAKE_DL_LIBS} m)
    set_target_properties(nbaprops_sqlite3 PROPERTIES OUTPUT_NAME sqlite3 SOVERSION 0
                          LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/sqlite")
    add_library(nbaprops::sqlite3 ALIAS nbaprops_sqlite3)
    set(NBAPROPS_SQLITE3 nbaprops::sqlite3)
    set(NBAPROPS_SQLITE3_BUNDLED ON)
    message(STATUS "nbaprops: SQLite ${NBAPROPS_SQLITE_VERSION} from its amalgamation (${NBAPROPS_SQLITE_DIR})")
  endif()
endif()
if(NOT NBAPROPS_SQLITE3_BUNDLED)
  find_package(SQLite3 REQUIRED)
  # CMake 4.3 renamed FindSQLite3's target (the old name still works, with a deprecation warning per use).
  if(TARGET SQLite3::SQLite3)
    set(NBAPROPS_SQLITE3 SQLite3::SQLite3)
  else()
    set(NBAPROPS_SQLITE3 SQLite::SQLite3)
  endif()
  message(STATUS "nbaprops: the system's SQLite ${SQLite3_VERSION}")
endif()
