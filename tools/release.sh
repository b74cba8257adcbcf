#!/usr/bin/env bash
# release.sh — the release artifacts of u7s, one Native AOT build per architecture, each packed three ways:
#   u7s-<version>-linux-amd64.tar.gz  u7s_<version>_amd64.deb  u7s-<version>-1.x86_64.rpm
#   u7s-<version>-linux-arm64.tar.gz  u7s_<version>_arm64.deb  u7s-<version>-1.aarch64.rpm
# The tarball holds the binary, the systemd unit, a sample config and the README; the packages install
# /usr/bin/u7s, /lib/systemd/system/u7s.service, /etc/u7s/u7s.yaml (a conffile) and
# /usr/share/doc/u7s/README.md, and their install scripts prepare what the first start needs.
#
# Usage: tools/release.sh [--arch amd64|arm64]... [OUTDIR]   (default: both, into artifacts/release)
# Needs: the .NET SDK, clang, lld (the arm64 link), qemu-user-static (runs the arm64 binary once),
# dpkg-dev, rpm, and Debian's package mirror (or the cache) for the bullseye sysroots. .ci/run installs them.
#
# Each binary is linked against a Debian 11 (bullseye, glibc 2.31) sysroot (tools/sysroot.sh), not
# the build host's libraries, so it runs on glibc 2.31 and newer (ALT p10 has 2.32); the release
# fails if it needs any symbol newer than GLIBC_2.31. The AOT publish must end with zero warnings:
# any trim or AOT warning fails the release. The version is the one in Directory.Build.props.
set -euo pipefail
cd "$(dirname "$0")/.."

arches=()
out=
while [ $# -gt 0 ]; do
  case $1 in
    --arch) arches+=("${2:?--arch needs amd64 or arm64}"); shift 2 ;;
    -*) echo "usage: tools/release.sh [--arch amd64|arm64]... [OUTDIR]" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
out=$(realpath -m "${out:-artifacts/release}")
# The oldest glibc a release may need: Debian 11's; ALT p10 ships 2.32.
max_glibc=2.31

version=$(dotnet msbuild src/Cli -getProperty:Version)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "release.sh: unexpected version '$version'" >&2; exit 1; }
work=$(mktemp -d -t u7s-release.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# Maintainer scripts shared by both packages. First install (and every upgrade): what the first start of
# the unit needs, as `u7s create-services` and `u7s create-policy --role registry` make it: the group
# podman_dev, the system user u7s in it (the unit's User=), the data root it owns (0750), and the
# signature tree's root (0755 root:root) with sigstore/ (2775 root:podman_dev: imagemakers and the
# service add signatures; setgid keeps new directories in the group). Existing trees keep their modes.
# A root other than / (dpkg --root, DPKG_ROOT) is left alone: its accounts are not this system's.
first_start='if [ -z "${DPKG_ROOT:-}" ]; then
  groupadd -r -f podman_dev
  id u7s >/dev/null 2>&1 || useradd -r -U -G podman_dev -d /var/lib/u7s -s /usr/sbin/nologin u7s
  id -nG u7s | grep -qw podman_dev || usermod -a -G podman_dev u7s
  install -d -o u7s -g u7s -m 0750 /var/lib/u7s
  [ -d /var/sigstore ] || install -d -o root -g root -m 0755 /var/sigstore
  [ -d /var/sigstore/sigstore ] || install -d -o root -g podman_dev -m 2775 /var/sigstore/sigstore
fi'
# Reload systemd so an upgraded unit takes effect and restart a running server onto the new binary;
# stop it on removal. Nothing is enabled or started on a first install: the admin does that (README
# "Install on a node"). Without a running systemd (a chroot, dpkg --root) there is nothing to do.
systemd_reload='if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi'
systemd_restart='if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then systemctl try-restart u7s.service || true; fi'
systemd_stop='if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then systemctl stop u7s.service || true; fi'

# Runs a binary built for $1 on this host: directly, or the arm64 one under qemu with its sysroot's loader.
run_target() {
  local arch=$1 sysroot=$2
  shift 2
  if [ "$arch" = amd64 ]; then
    "$@"
  else
    command -v qemu-aarch64-static >/dev/null || { echo "release.sh: qemu-aarch64-static (qemu-user-static) is needed to check the arm64 binary" >&2; exit 1; }
    qemu-aarch64-static -L "$sysroot" "$@"
  fi
}

# 1. The binary of one architecture, in $work/<arch>/u7s.
build() {
  local arch=$1 rid linker=()
  case $arch in
    amd64) rid=linux-x64 ;;
    # clang cross-links with lld; the host's ld only knows x86.
    arm64) rid=linux-arm64; linker=(-p:LinkerFlavor=lld) ;;
    *) echo "release.sh: unknown architecture '$arch' (amd64 or arm64)" >&2; exit 2 ;;
  esac
  local started=$SECONDS sysroot log=$work/publish-$arch.log
  sysroot=$(tools/sysroot.sh build "$arch")
  # The AOT build keeps its intermediates under obj/Release/net10.0/<rid>/.
  if ! dotnet publish src/Cli -c Release -r "$rid" -p:PublishAot=true -p:SysRoot="$sysroot" "${linker[@]}" -o "$work/publish-$arch" -nologo >"$log" 2>&1; then
    cat "$log" >&2
    echo "release.sh: dotnet publish ($rid) failed" >&2
    exit 1
  fi
  local warnings
  warnings=$(grep -E '(^|: )(AOT analysis |Trim analysis )?warning [A-Z]+[0-9]+' "$log" | sort -u || true)
  if [ -n "$warnings" ]; then
    echo "$warnings" >&2
    echo "release.sh: the AOT publish ($rid) has $(wc -l <<<"$warnings") warning(s); a release needs none" >&2
    exit 1
  fi
  mkdir -p "$work/$arch"
  local bin=$work/$arch/u7s
  cp "$work/publish-$arch/u7s" "$bin"

  local newest
  newest=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -Vu | tail -n 1)
  if [ "$(printf '%s\n%s\n' "$newest" "$max_glibc" | sort -V | tail -n 1)" != "$max_glibc" ]; then
    objdump -T "$bin" | grep -E "GLIBC_$newest" >&2 || true
    echo "release.sh: the $arch binary needs GLIBC_$newest, newer than GLIBC_$max_glibc: it would not start on older nodes" >&2
    exit 1
  fi
  echo "$newest" >"$work/$arch/glibc"
  local reported
  reported=$(run_target "$arch" "$sysroot" "$bin" --version)
  [[ $reported == "$version" || $reported == "$version+"* ]] || { echo "release.sh: u7s ($arch) --version says '$reported', not $version" >&2; exit 1; }
  # The unit as `u7s create-services` renders it, by this very build (no JIT: it forbids W+X memory).
  run_target "$arch" "$sysroot" "$bin" create-services --print --exec /usr/bin/u7s --config /etc/u7s/u7s.yaml >"$work/$arch/u7s.service"
  echo "release.sh: linux-$arch built in $((SECONDS - started)) s, needs GLIBC_$newest at most" >&2
}

# 2. The three artifacts of one architecture, from one staging tree laid out as on a node.
pack() {
  local arch=$1 rpm_arch
  case $arch in
    amd64) rpm_arch=x86_64 ;;
    arm64) rpm_arch=aarch64 ;;
  esac
  local stage=$work/stage-$arch glibc
  glibc=$(cat "$work/$arch/glibc")
  install -D -m 0755 "$work/$arch/u7s" "$stage/usr/bin/u7s"
  install -D -m 0644 "$work/$arch/u7s.service" "$stage/lib/systemd/system/u7s.service"
  install -D -m 0644 packaging/u7s.yaml "$stage/etc/u7s/u7s.yaml"
  install -D -m 0644 README.md "$stage/usr/share/doc/u7s/README.md"

  # The tarball: one folder, files side by side.
  local name=u7s-$version-linux-$arch
  mkdir -p "$work/$name"
  cp "$stage/usr/bin/u7s" "$stage/lib/systemd/system/u7s.service" "$stage/etc/u7s/u7s.yaml" README.md "$work/$name/"
  tar -C "$work" --owner=0 --group=0 --sort=name -czf "$out/$name.tar.gz" "$name"

  # The .deb. OpenSSL and liblzma are loaded at run time (hashing and TLS; the xz loader), so the ELF
  # header does not name them: they are listed by hand.
  local deb=$work/deb-$arch
  cp -a "$stage" "$deb"
  mkdir -p "$deb/DEBIAN"
  cat >"$deb/DEBIAN/control" <<EOF
Package: u7s
Version: $version
Architecture: $arch
Maintainer: U7s <u7s@localhost>
Depends: libc6 (>= $glibc), libssl3 | libssl1.1, liblzma5, passwd
Installed-Size: $(du -sk --exclude=DEBIAN "$deb" | cut -f1)
Section: admin
Priority: optional
Homepage: https://localhost/u7s
Description: signed-image registry, signature store and node installer
 One program for air-gapped Kubernetes nodes: an OCI Distribution registry
 on :80, a lookaside signature store with OpenPGP simple signing on :81, an
 xz image-archive loader and the node installer. Native code; needs no .NET.
EOF
  echo /etc/u7s/u7s.yaml >"$deb/DEBIAN/conffiles"
  printf '#!/bin/sh\nset -e\nif [ "$1" = configure ]; then\n%s\n%s\n%s\nfi\n' "$first_start" "$systemd_reload" "$systemd_restart" >"$deb/DEBIAN/postinst"
  printf '#!/bin/sh\nset -e\nif [ "$1" = remove ]; then\n%s\nfi\n' "$systemd_stop" >"$deb/DEBIAN/prerm"
  printf '#!/bin/sh\nset -e\n%s\n' "$systemd_reload" >"$deb/DEBIAN/postrm"
  chmod 0755 "$deb/DEBIAN/postinst" "$deb/DEBIAN/prerm" "$deb/DEBIAN/postrm"
  dpkg-deb --root-owner-group -Zxz --build "$deb" "$out/u7s_${version}_$arch.deb" >/dev/null

  # The .rpm from the same tree. rpmbuild adds a requirement for every soname and glibc symbol
  # version the binary names; liblzma is listed by soname too, so both ALT and other rpm distributions
  # resolve it. OpenSSL is 1.1 on some nodes and 3 on others, so it is left to the README.
  local rpmtop=$work/rpm-$arch
  mkdir -p "$rpmtop"/{BUILD,RPMS,SOURCES,SPECS,SRPMS}
  cat >"$rpmtop/SPECS/u7s.spec" <<EOF
%global debug_package %{nil}
%global __os_install_post %{nil}
%define _build_id_links none
Name: u7s
Version: $version
Release: 1
Summary: Signed-image registry, signature store and node installer
License: Proprietary
Requires: liblzma.so.5()(64bit)

%description
One program for air-gapped Kubernetes nodes: an OCI Distribution registry on :80, a lookaside
signature store with OpenPGP simple signing on :81, an xz image-archive loader and the node
installer. Native code; needs no .NET.

%install
cp -a "$stage/." "%{buildroot}/"

%post
$first_start
$systemd_reload
if [ "\$1" -gt 1 ]; then $systemd_restart; fi

%preun
if [ "\$1" -eq 0 ]; then $systemd_stop; fi

%postun
$systemd_reload

%files
%attr(0755,root,root) /usr/bin/u7s
%attr(0644,root,root) /lib/systemd/system/u7s.service
%dir %attr(0755,root,root) /etc/u7s
%config(noreplace) %attr(0644,root,root) /etc/u7s/u7s.yaml
%doc %attr(0644,root,root) /usr/share/doc/u7s/README.md
EOF
  rpmbuild -bb --quiet --target "$rpm_arch" --define "_topdir $rpmtop" --define "_docdir_fmt %%{NAME}" "$rpmtop/SPECS/u7s.spec" >"$work/rpmbuild-$arch.log" 2>&1 \
    || { cat "$work/rpmbuild-$arch.log" >&2; echo "release.sh: rpmbuild ($rpm_arch) failed" >&2; exit 1; }
  cp "$rpmtop/RPMS/$rpm_arch/u7s-$version-1.$rpm_arch.rpm" "$out/"

  echo "$out/$name.tar.gz"
  echo "$out/u7s_${version}_$arch.deb"
  echo "$out/u7s-$version-1.$rpm_arch.rpm"
}

started=$SECONDS
for arch in "${arches[@]}"; do
  build "$arch"
done
for arch in "${arches[@]}"; do
  pack "$arch"
done
echo "release.sh: ${arches[*]} released in $((SECONDS - started)) s" >&2
