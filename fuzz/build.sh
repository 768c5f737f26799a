#!/bin/sh
# build.sh [OUTDIR] - build the libFuzzer targets into OUTDIR (default fuzz/out).
#
# Needs clang with libFuzzer and the sanitizer runtimes (Debian/Ubuntu:
# clang, libclang-rt-14-dev or the runtime package of the clang in use),
# and the development files of libsodium, nettle, libcrypt and, for the
# SASL targets, libsasl2 and, for the importer targets, libdb5.3.  CC and
# EXTRA_CFLAGS may be set in the environment.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=${1:-$here/out}
CC=${CC:-clang}
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -D_GNU_SOURCE -I$top/shared ${EXTRA_CFLAGS:-}"
LIBS="-lsodium -lnettle -lcrypt"

mkdir -p "$out/obj"

# The sonames shared/crypto-lib.c dlopen()s, found as configure finds them:
# the NEEDED entries of a program linked with LIBS.
printf '%s\n' 'char sodium_init(void);' 'char nettle_md5_digest(void);' \
	'int main(void) { return sodium_init() + nettle_md5_digest(); }' >"$out/obj/soname.c"
# shellcheck disable=SC2086
$CC "$out/obj/soname.c" $LIBS -o "$out/obj/soname"
needed=$(readelf -d "$out/obj/soname" | sed -n 's/^.*(NEEDED).*\[\(.*\)\].*$/\1/p')
sodium=$(printf '%s\n' $needed | sed -n '/^libsodium\.so/p')
nettle=$(printf '%s\n' $needed | sed -n '/^libnettle\.so/p')
if [ -z "$sodium" ] || [ -z "$nettle" ]; then
	echo "build.sh: cannot find the sonames of libsodium and Nettle (readelf, $LIBS)" >&2
	exit 1
fi
sonames="-DMP_SODIUM_SONAME=\"$sodium\" -DMP_NETTLE_SONAME=\"$nettle\""

# The core library once, without libFuzzer's main (fuzzer-no-link).
objs=
for src in "$top"/shared/*.c; do
	obj="$out/obj/$(basename "$src" .c).o"
	# shellcheck disable=SC2086
	$CC -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
		-D_GNU_SOURCE -I"$top/shared" ${EXTRA_CFLAGS:-} $sonames -c "$src" -o "$obj"
	objs="$objs $obj"
done

build() {
	target=$1
	shift
	echo "  CCLD  $out/$target"
	# shellcheck disable=SC2086
	$CC $CFLAGS "$@" $objs $LIBS -o "$out/$target"
}

build fuzz-entry "$here/fuzz-entry.c"
build fuzz-stored "$here/fuzz-stored.c"
build fuzz-conf "$here/fuzz-conf.c"
build fuzz-apop "$here/fuzz-apop.c"

# SASL PLAIN and LOGIN: the mechanisms of sasl-plugin/ with the plugin glue,
# driven through the public plugin interface (no libsasl2 internals).
sasl="$top/sasl-plugin/plugin.c $top/sasl-plugin/mech-plain.c $top/sasl-plugin/mech-login.c
	$top/sasl-plugin/canon.c $top/sasl-plugin/auxprop.c"
build fuzz-sasl-plain -I"$top/sasl-plugin" "$here/fuzz-sasl-plain.c" $sasl -lsasl2
build fuzz-sasl-login -I"$top/sasl-plugin" "$here/fuzz-sasl-login.c" $sasl -lsasl2

# The importers' record parsers (tools/import-*.c).  The text formats'
# files also hold their whole-file readers, which reach the rest of the
# command, so those targets link all of "mailpass import" but its main();
# the sasldb record handling stands alone (no Berkeley DB).
import="$top/tools/cmd-import.c $top/tools/cli-io.c"
for src in "$top"/tools/import-*.c; do
	import="$import $src"
done
build fuzz-import-dovecot -I"$top/tools" "$here/fuzz-import-dovecot.c" $import -ldb
build fuzz-import-htpasswd -I"$top/tools" "$here/fuzz-import-htpasswd.c" $import -ldb
build fuzz-import-shadow -I"$top/tools" "$here/fuzz-import-shadow.c" $import -ldb
build fuzz-import-sasldb -I"$top/tools" "$here/fuzz-import-sasldb.c" \
	"$top/tools/import-sasldb-record.c" "$top/tools/import-item.c" "$top/tools/cli-io.c"
