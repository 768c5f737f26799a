# mp_checks.m4 - small configure helpers for mailpass.

# MP_CHECK_CFLAG(FLAG, ACTION-IF-ACCEPTED, [ACTION-IF-REJECTED])
# Runs ACTION when the C compiler accepts FLAG without any warning.
AC_DEFUN([MP_CHECK_CFLAG], [
  AC_MSG_CHECKING([whether $CC accepts $1])
  mp_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS -Werror $1"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[]], [[return 0;]])],
    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no]); $3])
  CFLAGS=$mp_save_CFLAGS
])

# MP_CHECK_LDFLAG(FLAG, ACTION-IF-ACCEPTED, [ACTION-IF-REJECTED])
AC_DEFUN([MP_CHECK_LDFLAG], [
  AC_MSG_CHECKING([whether the linker accepts $1])
  mp_save_LDFLAGS=$LDFLAGS
  LDFLAGS="$LDFLAGS -Werror $1"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[]], [[return 0;]])],
    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no]); $3])
  LDFLAGS=$mp_save_LDFLAGS
])

# MP_REQUIRE_FUNC(FUNCTION, CFLAGS, LIBS, DEBIAN-PACKAGE)
# Stops configure when FUNCTION cannot be linked with LIBS.
AC_DEFUN([MP_REQUIRE_FUNC], [
  mp_save_CFLAGS=$CFLAGS
  mp_save_LIBS=$LIBS
  CFLAGS="$CFLAGS $2"
  LIBS="$3 $LIBS"
  AC_CHECK_FUNC([$1], [],
    [AC_MSG_ERROR([$1 not found in $3; on Debian: apt-get install $4])])
  CFLAGS=$mp_save_CFLAGS
  LIBS=$mp_save_LIBS
])

# MP_SANITIZER_RUNTIME(LIBRARY, VARIABLE)
# Sets VARIABLE to the full path of the compiler's shared runtime LIBRARY
# (e.g. libasan.so), as "$CC -print-file-name" gives it; stops configure when
# the compiler has none.
AC_DEFUN([MP_SANITIZER_RUNTIME], [
  AC_MSG_CHECKING([for the $1 runtime of $CC])
  $2=`$CC -print-file-name=$1 2>/dev/null`
  AS_CASE([$$2], [/*], [], [$2=])
  AS_IF([test -n "$$2" && test -f "$$2"], [AC_MSG_RESULT([$$2])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([--enable-sanitizers: $CC has no shared $1 (it is needed to preload the sanitizer runtime into test processes); use gcc, on Debian: apt-get install gcc])])
])
