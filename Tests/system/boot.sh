#!/bin/sh
# Boots systemd as PID 1 of the fresh namespaces that `unshare --fork --pid --mount --net --uts
# --ipc --propagation private` made, over a throw-away overlay of the root file system.
#
#   boot.sh BASE UNIT [SHARED...]
#
# Each SHARED folder of the host (the source tree with the packages to install) is bound read-only at
# the same path inside, wherever it is: the machine gets fresh /tmp and /run, which would hide a tree
# cloned there.
#
# BASE is an empty folder: a tmpfs goes on it (in this mount namespace only) and holds the overlay's
# upper layer, so nothing the booted system writes reaches the real /etc, /var or /tmp. Never boot
# systemd over the bare root: systemd-tmpfiles --boot empties /tmp, sysusers writes /etc.
set -eu
base=$1
unit=$2
shift 2
[ "$$" -eq 1 ] || { echo "boot.sh: must run as PID 1 of a new PID namespace" >&2; exit 1; }

mount -t tmpfs -o mode=0755 kawal-system "$base"
mkdir "$base/upper" "$base/work" "$base/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$base/root"
root=$base/root
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
for shared in "$@"; do
    mkdir -p "$root$shared"
    mount --rbind "$shared" "$root$shared"
    mount -o remount,bind,ro "$root$shared"
done
# The units that would reach the host's kernel (devices, sysctls, modules, the real root's mount).
for masked in systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
              systemd-udev-trigger.service systemd-udev-settle.service systemd-sysctl.service \
              systemd-modules-load.service systemd-remount-fs.service; do
    ln -sf /dev/null "$root/etc/systemd/system/$masked"
done
# A machine of its own: a fresh id, not the host's.
rm -f "$root/etc/machine-id"
: > "$root/etc/machine-id"
mkdir -p "$root/.oldroot"
cd "$root"
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
# systemd makes / shared at boot, except in what it takes for a container (a PID namespace): then
# mounts that a service's helper makes in a namespace of its own (credentials in
# /run/credentials/UNIT) never reach PID 1's view. Shared within this namespace only: unshare made
# it private, so nothing propagates to the host.
mount --make-rshared /
# Tell systemd it is in a container, whatever host this runs on: then it leaves the host's
# hardware, kernel settings and devices alone (no udev, pstore, modules, sysctls).
exec env container=kawal-system /lib/systemd/systemd --system "--unit=$unit"
