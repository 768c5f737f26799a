# mp_soname.m4 - the soname of a library, for dlopen().

# MP_LIBRARY_SONAME(BASENAME, FUNCTION, LIBS, DEFINE, DEBIAN-PACKAGE)
# Links a program that calls FUNCTION with LIBS, reads the program's NEEDED
# entries (readelf -d, else objdump -p) and AC_DEFINEs DEFINE to the one
# that starts with BASENAME.so (e.g. libsodium.so.23).  Stops configure when
# the program does not link or names no such library.
AC_DEFUN([MP_LIBRARY_SONAME], [
  AC_REQUIRE([MP_PROG_ELF_READER])
  AC_MSG_CHECKING([for the soname of $1])
  mp_save_LIBS=$LIBS
  LIBS="$3 $LIBS"
  mp_soname=
  AC_LINK_IFELSE([AC_LANG_CALL([], [$2])], [
    if test -n "$READELF"; then
      mp_needed=`$READELF -d conftest$EXEEXT 2>/dev/null |
        sed -n 's/^.*(NEEDED).*\@<:@\(.*\)@:>@.*$/\1/p'`
    else
      mp_needed=`$OBJDUMP -p conftest$EXEEXT 2>/dev/null | sed -n 's/^ *NEEDED *//p'`
    fi
    for mp_lib in $mp_needed; do
      case $mp_lib in
        $1.so*) mp_soname=$mp_lib ;;
      esac
    done
  ])
  LIBS=$mp_save_LIBS
  AS_IF([test -n "$mp_soname"], [AC_MSG_RESULT([$mp_soname])], [
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([cannot determine the soname of $1 (a program calling $2 with $3 names no $1.so* in its NEEDED entries); on Debian: apt-get install $5 binutils])
  ])
  AC_DEFINE_UNQUOTED([$4], ["$mp_soname"], [The soname of $1, which the core dlopen()s])
])

# MP_PROG_ELF_READER
# Sets READELF (or, failing that, OBJDUMP) for MP_LIBRARY_SONAME; stops
# configure when neither tool is there.
AC_DEFUN([MP_PROG_ELF_READER], [
  AC_CHECK_TOOL([READELF], [readelf])
  AS_IF([test -z "$READELF"], [
    AC_CHECK_TOOL([OBJDUMP], [objdump])
    AS_IF([test -z "$OBJDUMP" || test "x$OBJDUMP" = xfalse],
      [AC_MSG_ERROR([neither readelf nor objdump found (needed to find the sonames of libsodium and Nettle); on Debian: apt-get install binutils])])
  ])
])
