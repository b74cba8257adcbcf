#!/usr/bin/env bash
# release.sh — the release artifacts of u7s for linux-amd64, from one Native AOT build:
#   u7s-<version>-linux-amd64.tar.gz   the binary, the systemd unit, a sample config, the README
#   u7s_<version>_amd64.deb            dpkg-deb: /usr/bin/u7s, /lib/systemd/system/u7s.service,
#                                      /etc/u7s/u7s.yaml (a conffile), /usr/share/doc/u7s/README.md
#   u7s-<version>-1.x86_64.rpm         rpmbuild, the same files, for ALT-style nodes
#
# Usage: tools/release.sh [OUTDIR]      (default: artifacts/release; prints the artifact paths)
# Needs: the .NET SDK, clang and zlib1g-dev (the AOT linker), dpkg-dev, rpm. .ci/run installs them.
# The version is the one in Directory.Build.props. The AOT publish must end with zero warnings:
# any trim or AOT warning fails the release (the build treats warnings as errors, and the log is
# checked besides).
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(realpath -m "${1:-artifacts/release}")
version=$(dotnet msbuild src/Cli -getProperty:Version)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "release.sh: unexpected version '$version'" >&2; exit 1; }
work=$(mktemp -d -t u7s-release.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# 1. The binary (the AOT build keeps its intermediates under obj/Release/net10.0/linux-x64/).
log=$work/publish.log
if ! dotnet publish src/Cli -c Release -r linux-x64 -p:PublishAot=true -o "$work/publish" -nologo >"$log" 2>&1; then
  cat "$log" >&2
  echo "release.sh: dotnet publish failed" >&2
  exit 1
fi
warnings=$(grep -E '(^|: )(AOT analysis |Trim analysis )?warning [A-Z]+[0-9]+' "$log" | sort -u || true)
if [ -n "$warnings" ]; then
  echo "$warnings" >&2
  echo "release.sh: the AOT publish has $(wc -l <<<"$warnings") warning(s); a release needs none" >&2
  exit 1
fi
bin=$work/publish/u7s
reported=$("$bin" --version)
[[ $reported == "$version" || $reported == "$version+"* ]] || { echo "release.sh: u7s --version says '$reported', not $version" >&2; exit 1; }

# 2. One staging tree, laid out as on a node. The unit is the one `u7s create-services` renders.
stage=$work/stage
install -D -m 0755 "$bin" "$stage/usr/bin/u7s"
mkdir -p "$stage/lib/systemd/system"
"$bin" create-services --print --exec /usr/bin/u7s --config /etc/u7s/u7s.yaml >"$stage/lib/systemd/system/u7s.service"
chmod 0644 "$stage/lib/systemd/system/u7s.service"
install -D -m 0644 packaging/u7s.yaml "$stage/etc/u7s/u7s.yaml"
install -D -m 0644 README.md "$stage/usr/share/doc/u7s/README.md"

# 3. The tarball: one folder, files side by side.
name=u7s-$version-linux-amd64
mkdir -p "$work/$name"
cp "$stage/usr/bin/u7s" "$stage/lib/systemd/system/u7s.service" "$stage/etc/u7s/u7s.yaml" README.md "$work/$name/"
tar -C "$work" --owner=0 --group=0 --sort=name -czf "$out/$name.tar.gz" "$name"

# Maintainer scripts shared by both packages: reload systemd so an upgraded unit takes effect and
# restart a running server onto the new binary; stop it on removal. Nothing is enabled or started on
# a first install: the admin does that (README "Install on a node"). A root other than / (dpkg
# --root, DPKG_ROOT) has no running systemd of its own: nothing to do there.
systemd_reload='if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi'
systemd_restart='if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then systemctl try-restart u7s.service || true; fi'
# The unit runs as the system user u7s (group podman_dev, so it may add signatures under /var/sigstore),
# which owns the data root; the same account `u7s create-services` makes.
service_account='if [ -z "${DPKG_ROOT:-}" ]; then getent group podman_dev >/dev/null || groupadd -r podman_dev; getent passwd u7s >/dev/null || useradd -r -U -G podman_dev -d /var/lib/u7s -s /usr/sbin/nologin u7s; install -d -o u7s -g u7s -m 0750 /var/lib/u7s; fi'
systemd_stop='if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then systemctl stop u7s.service || true; fi'
glibc=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)

# 4. The .deb. OpenSSL and liblzma are loaded at run time (hashing and TLS; the xz loader), so the
# ELF header does not name them: they are listed by hand.
deb=$work/deb
cp -a "$stage" "$deb"
mkdir -p "$deb/DEBIAN"
cat >"$deb/DEBIAN/control" <<EOF
Package: u7s
Version: $version
Architecture: amd64
Maintainer: U7s <u7s@localhost>
Depends: libc6 (>= $glibc), libssl3 | libssl1.1, liblzma5
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
printf '#!/bin/sh\nset -e\nif [ "$1" = configure ]; then\n  %s\n  %s\n  %s\nfi\n' "$service_account" "$systemd_reload" "$systemd_restart" >"$deb/DEBIAN/postinst"
printf '#!/bin/sh\nset -e\nif [ "$1" = remove ]; then\n  %s\nfi\n' "$systemd_stop" >"$deb/DEBIAN/prerm"
printf '#!/bin/sh\nset -e\n%s\n' "$systemd_reload" >"$deb/DEBIAN/postrm"
chmod 0755 "$deb/DEBIAN/postinst" "$deb/DEBIAN/prerm" "$deb/DEBIAN/postrm"
dpkg-deb --root-owner-group -Zxz --build "$deb" "$out/u7s_${version}_amd64.deb" >/dev/null

# 5. The .rpm from the same tree. Sonames, not package names, so both ALT and other rpm distributions
# resolve them; OpenSSL is 1.1 on some nodes and 3 on others, so it is left to the README.
rpmtop=$work/rpm
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
BuildArch: x86_64
Requires: liblzma.so.5()(64bit)

%description
One program for air-gapped Kubernetes nodes: an OCI Distribution registry on :80, a lookaside
signature store with OpenPGP simple signing on :81, an xz image-archive loader and the node
installer. Native code; needs no .NET.

%install
cp -a "$stage/." "%{buildroot}/"

%post
$service_account
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
rpmbuild -bb --quiet --define "_topdir $rpmtop" --define "_docdir_fmt %%{NAME}" "$rpmtop/SPECS/u7s.spec" >"$work/rpmbuild.log" 2>&1 \
  || { cat "$work/rpmbuild.log" >&2; echo "release.sh: rpmbuild failed" >&2; exit 1; }
cp "$rpmtop/RPMS/x86_64/u7s-$version-1.x86_64.rpm" "$out/"

echo "$out/$name.tar.gz"
echo "$out/u7s_${version}_amd64.deb"
echo "$out/u7s-$version-1.x86_64.rpm"
