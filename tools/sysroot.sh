#!/usr/bin/env bash
# sysroot.sh — a Debian 11 (bullseye, glibc 2.31) root for one architecture, built from Debian's
# packages and cached; prints its path.
#
# Usage: tools/sysroot.sh build|runtime amd64|arm64
#   build    what the Native AOT link needs (libc6-dev, libgcc-10-dev, zlib1g-dev, linux-libc-dev):
#            tools/release.sh links against it, so the binary needs no symbol newer than glibc 2.31
#   runtime  only the libraries a node must have to run u7s (libc6, libgcc-s1, libssl1.1, liblzma5,
#            zlib1g): the release tests run the binary in a chroot of it
#
# Nothing of the host's apt is touched: a private sources list and package state under the cache,
# `apt-get download` and `dpkg-deb -x`; absolute symlinks are made relative so the tree works under
# any path (clang --sysroot, chroot). The cache key is the package versions (and this script), so a
# new bullseye point release builds a new root and an unchanged one is reused without a download:
#   ${U7S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/u7s}/sysroot/bullseye-<arch>-<role>-<key>/
# The package lists are refreshed when older than a day; offline, the lists and roots already
# cached are used. U7S_DEBIAN_MIRROR overrides the mirror (default http://deb.debian.org/debian).
set -euo pipefail

role=${1:-}
arch=${2:-}
case $role in
  build) packages=(libc6 libc6-dev libcrypt1 libcrypt-dev libgcc-s1 libgcc-10-dev gcc-10-base zlib1g zlib1g-dev linux-libc-dev) ;;
  runtime) packages=(libc6 libcrypt1 libgcc-s1 gcc-10-base libssl1.1 liblzma5 zlib1g) ;;
  *) echo "usage: tools/sysroot.sh build|runtime amd64|arm64" >&2; exit 2 ;;
esac
case $arch in
  amd64 | arm64) ;;
  *) echo "usage: tools/sysroot.sh build|runtime amd64|arm64" >&2; exit 2 ;;
esac

cache=${U7S_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/u7s}
apt_dir=$cache/apt-bullseye
mirror=${U7S_DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$cache/sysroot"
printf 'deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s bullseye main\n' "$mirror" >"$apt_dir/sources.list"
apt_options=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State=$apt_dir" -o "Dir::State::Lists=$apt_dir/lists" -o Dir::State::status=/dev/null
  -o "Dir::Cache=$apt_dir" -o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
  -o Acquire::Languages=none -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
  -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false -o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false
  -o "Dir::Cache::pkgcache=$apt_dir/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$apt_dir/srcpkgcache.bin" -o Debug::NoLocking=true -o APT::Sandbox::User=root
)

# Refresh the lists at most once a day, under a lock so parallel callers (release build, tests) share it.
exec 9>"$apt_dir/lock.sysroot"
flock 9
stamp=$apt_dir/updated
if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
  if apt-get "${apt_options[@]}" -qq update >"$apt_dir/update.log" 2>&1 && ! grep -q '^[WE]:' "$apt_dir/update.log"; then
    touch "$stamp"
  elif compgen -G "$apt_dir/lists/*_Packages*" >/dev/null; then
    echo "sysroot.sh: cannot refresh bullseye's package lists, using the cached ones ($(cat "$apt_dir/update.log" | head -n 1))" >&2
  else
    cat "$apt_dir/update.log" >&2
    echo "sysroot.sh: cannot read bullseye's package lists from $mirror" >&2
    exit 1
  fi
fi

# The exact versions decide the key: same versions, same root.
qualified=("${packages[@]/%/:$arch}")
versions=$(apt-cache "${apt_options[@]}" show --no-all-versions "${qualified[@]}" | awk '/^Package:/ { p = $2 } /^Version:/ { print p "=" $2 }' | sort)
if [ "$(wc -l <<<"$versions")" -ne "${#packages[@]}" ]; then
  echo "sysroot.sh: bullseye ($arch) lacks some of: ${packages[*]}" >&2
  exit 1
fi
key=$( { echo "$versions"; cat "$0"; } | sha256sum | cut -c1-16)
root=$cache/sysroot/bullseye-$arch-$role-$key
if [ -d "$root" ]; then
  echo "$root"
  exit 0
fi

work=$(mktemp -d "$cache/sysroot/.new.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/debs" "$work/root"
(cd "$work/debs" && apt-get "${apt_options[@]}" -qq download $(sed "s/=.*//; s/\$/:$arch/" <<<"$versions") >"$work/download.log" 2>&1) \
  || { cat "$work/download.log" >&2; echo "sysroot.sh: apt-get download failed" >&2; exit 1; }
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done
# What a link or a chroot never reads.
rm -rf "$work/root/usr/share/doc" "$work/root/usr/share/man" "$work/root/usr/share/info" "$work/root/usr/share/lintian" "$work/root/usr/share/locale"

# Absolute links point into the host once the tree is elsewhere: make each relative to its own folder.
while IFS= read -r -d '' link; do
  target=$(readlink "$link")
  if [[ $target == /* ]]; then
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$work/root$target")" "$link"
  fi
done < <(find "$work/root" -type l -print0)
echo "$versions" >"$work/root/.packages"

# Another caller may have built the same root meanwhile: keep whichever landed first.
mv -T "$work/root" "$root" 2>/dev/null || true
# Older roots of this architecture and role are superseded.
find "$cache/sysroot" -mindepth 1 -maxdepth 1 -name "bullseye-$arch-$role-*" ! -path "$root" -exec rm -rf {} +
echo "$root"
