# mp_checks.m4 - small configure helpers for mailpass.

# MP_CHECK_CFLAG(FLAG, ACTION-IF-ACCEPTED)
# Runs ACTION when the C compiler accepts FLAG without any warning.
AC_DEFUN([MP_CHECK_CFLAG], [
  AC_MSG_CHECKING([whether $CC accepts $1])
  mp_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS -Werror $1"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[]], [[return 0;]])],
    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no])])
  CFLAGS=$mp_save_CFLAGS
])

# MP_CHECK_LDFLAG(FLAG, ACTION-IF-ACCEPTED)
AC_DEFUN([MP_CHECK_LDFLAG], [
  AC_MSG_CHECKING([whether the linker accepts $1])
  mp_save_LDFLAGS=$LDFLAGS
  LDFLAGS="$LDFLAGS -Werror $1"
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[]], [[return 0;]])],
    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no])])
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
