#!/bin/sh
# shellcheck shell=sh
# bee: live-build's own function library with one function replaced.
#
# live-build 20230502 sources "$LIVE_BUILD/scripts/build.sh" in place of
# /usr/lib/live/build.sh when the config tree has local/live-build (see that
# file), so this runs inside every lb script of our build.
#
# Why: in the binary stage, live-build installs the ISO-making tools into its
# build chroot with Install_packages, but two of those installs miss its own
# package cache (cache/packages.binary):
#   - binary_grub-efi installs shim-signed and grub-efi-amd64-signed (and
#     their dependencies, ~8.6 MB) before it calls Restore_package_cache;
#   - binary_rootfs installs squashfs-tools into a throwaway copy of the
#     bootstrap chroot that it deletes before Save_package_cache runs.
# Both were downloaded again on every build, also after a Go-only change.
# Here, in binary_* scripts, every Install_packages restores the binary package
# cache first and saves into it right after, so a rebuild downloads no package.

# shellcheck source=/dev/null
. /usr/lib/live/build.sh

case "$(basename "$0")" in
binary_*)
	Install_packages() {
		if [ -z "${_LB_PACKAGES}" ] || [ "${LB_BUILD_WITH_CHROOT}" != "true" ]; then
			return 0
		fi
		Restore_package_cache binary
		# Recorded like upstream does, so Remove_packages takes them out again.
		for _bee_pkg in ${_LB_PACKAGES}; do
			echo "${_bee_pkg}" >>"$(Installed_tmp_packages_file)"
		done
		Chroot chroot "apt-get install -o APT::Install-Recommends=false ${APT_OPTIONS} ${_LB_PACKAGES}"
		Save_package_cache binary
		unset _LB_PACKAGES
	}
	;;
esac
