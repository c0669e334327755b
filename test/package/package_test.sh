#!/usr/bin/env bash
# CTest package_deb: makes the Debian packages of this build tree with CPack, checks their fields,
# unpacks them into a scratch root (no system change), and there builds and runs consumers of the
# library through find_package(dkg) and pkg-config, and runs the unpacked dkg.
#   package_test.sh BUILD_DIR SOURCE_DIR CPACK WORK_DIR GENERATOR CXX PKG_CONFIG VERSION CONSUMER_CACHE tls|no-tls
set -euo pipefail
build=$1 source=$2 cpack=$3 work=$4 generator=$5 cxx=$6 pkg_config=$7 version=$8 consumer_cache=$9 tls=${10}

fail() {
    echo "package test: $*" >&2
    exit 1
}

rm -rf "$work"
mkdir -p "$work"
root=$work/root

# 1. The packages, from the build tree (CPack installs the components "dev" and "tools").
"$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work/debs" >"$work/cpack.log" 2>&1 || {
    cat "$work/cpack.log" >&2
    fail "cpack failed"
}
dev=$(find "$work/debs" -maxdepth 1 -name "libdkg-dev_${version}_all.deb")
tools=$(find "$work/debs" -maxdepth 1 -name "dkg-tools_${version}_*.deb")
[[ -f $dev ]] || fail "no libdkg-dev_${version}_all.deb in $work/debs"
[[ -f $tools ]] || fail "no dkg-tools_${version}_*.deb in $work/debs"

field() { dpkg-deb --field "$1" "$2"; }
[[ $(field "$dev" Architecture) == all ]] || fail "libdkg-dev is not architecture all"
[[ $(field "$tools" Architecture) == "$(dpkg --print-architecture)" ]] || fail "dkg-tools has architecture $(field "$tools" Architecture)"
dev_depends=$(field "$dev" Depends)
tools_depends=$(field "$tools" Depends)
for package in libboost1.81-dev libgmp-dev; do
    [[ ", $dev_depends," == *", $package"[\ ,]* ]] || fail "libdkg-dev does not depend on $package: $dev_depends"
done
if [[ $tls == tls ]]; then
    [[ ", $dev_depends," == *", libssl-dev"[\ ,]* ]] || fail "libdkg-dev does not depend on libssl-dev: $dev_depends"
fi
echo "libdkg-dev: Depends: $dev_depends"
echo "dkg-tools: Depends: $tools_depends"

# 2. Unpacked into the scratch root.
dpkg-deb -x "$dev" "$root"
dpkg-deb -x "$tools" "$root"
for file in usr/include/dkg/dkg.hpp usr/share/cmake/dkg/dkgConfig.cmake usr/share/cmake/dkg/dkgConfigVersion.cmake \
    usr/share/pkgconfig/dkg.pc usr/share/pkgconfig/dkg-gmp.pc usr/share/bash-completion/completions/dkg usr/bin/dkg; do
    [[ -e $root/$file ]] || fail "/$file is in neither package"
done
if dpkg-deb --contents "$dev" | grep -q ' \./usr/bin/'; then fail "libdkg-dev contains executables"; fi

# 3. The unpacked tool runs, and every shared library it needs comes from a package it depends on.
[[ $("$root/usr/bin/dkg" --version) == "dkg $version" ]] || fail "dkg --version printed '$("$root/usr/bin/dkg" --version)'"
"$root/usr/bin/dkg" completion bash | cmp -s - "$root/usr/share/bash-completion/completions/dkg" ||
    fail "the installed completion is not the one dkg writes"
multiarch=$(dpkg-architecture --query DEB_HOST_MULTIARCH)
while read -r library; do
    owner=$(dpkg --search "*/$multiarch/$library" 2>/dev/null | sed -n 's/^\([^:]*\):.*/\1/p' | head -n 1)
    [[ -n $owner ]] || fail "no installed package provides $library"
    [[ ", $tools_depends," == *", $owner"[\ ,]* ]] || fail "dkg needs $library from $owner, which dkg-tools does not depend on: $tools_depends"
done < <(objdump -p "$root/usr/bin/dkg" | sed -n 's/^ *NEEDED *//p')

# 4. A consumer with find_package(dkg), finding the package in the scratch root only.
cmake -S "$source/test/cmake/find_package" -B "$work/find_package" -G "$generator" -C "$consumer_cache" \
    -DCMAKE_BUILD_TYPE=Release -Ddkg_ROOT="$root/usr" >"$work/configure.log" 2>&1 || {
    cat "$work/configure.log" >&2
    fail "the find_package consumer does not configure"
}
dkg_dir=$(sed -n 's/^dkg_DIR:[A-Z]*=//p' "$work/find_package/CMakeCache.txt")
[[ $(realpath "$dkg_dir") == "$(realpath "$root")"/* ]] || fail "find_package(dkg) found $dkg_dir, not the package"
cmake --build "$work/find_package" >"$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2
    fail "the find_package consumer does not build"
}
"$work/find_package/consumer"

# 5. A consumer with pkg-config: dkg-gmp (headers, GMP, DKG_HAS_GMP) from the scratch root.
export PKG_CONFIG_PATH=$root/usr/share/pkgconfig
[[ $("$pkg_config" --modversion dkg) == "$version" ]] || fail "pkg-config dkg has version $("$pkg_config" --modversion dkg)"
cflags=$("$pkg_config" --cflags dkg-gmp)
libs=$("$pkg_config" --libs dkg-gmp)
[[ $cflags == *"-I$root/usr/share/pkgconfig/../../include"* || $cflags == *"-I$root/usr/include"* ]] ||
    fail "pkg-config --cflags dkg-gmp does not point into the package: $cflags"
[[ $cflags == *-DDKG_HAS_GMP=1* && $libs == *-lgmp* ]] || fail "pkg-config dkg-gmp: cflags '$cflags', libs '$libs'"
# shellcheck disable=SC2086 # the flags are words
"$cxx" -std=c++20 -O1 -DDKG_CONSUMER_EXPECTS_GMP=1 $cflags "$source/test/cmake/consumer.cpp" -o "$work/pkg_config_consumer" $libs
"$work/pkg_config_consumer"
if [[ $tls == tls ]]; then
    tls_cflags=$("$pkg_config" --cflags dkg-tls)
    tls_libs=$("$pkg_config" --libs dkg-tls)
    [[ $tls_cflags == *-DDKG_HAS_TLS=1* && $tls_libs == *-lssl* && $tls_libs == *-lcrypto* ]] ||
        fail "pkg-config dkg-tls: cflags '$tls_cflags', libs '$tls_libs'"
fi
echo "package test: libdkg-dev and dkg-tools $version install, build consumers (find_package, pkg-config) and run"
