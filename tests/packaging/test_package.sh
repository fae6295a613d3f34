#!/usr/bin/env bash
# Builds the .deb and .tar.gz from an already-built tree with CPack, installs
# the .deb into a scratch root (dpkg -x, never into the system) and unpacks
# the tarball into a random folder, then checks what a person gets: the
# layout, the desktop entry, the AppStream metainfo, the icons, the manual
# pages (every option the programs print), bd3 --version and a short
# generation with the installed default model, and the installed studio up
# to its main window on the offscreen platform. Nothing points the installed
# programs at the source tree: they find their model relative to themselves.
#
#   test_package.sh BUILD_DIR SCRATCH_DIR [studio=ON|OFF]
set -euo pipefail

build=$(realpath "$1")
scratch=$2
case ${3:-ON} in
    ON | on | TRUE | true | YES | yes | 1) with_studio=ON ;;
    *) with_studio=OFF ;;
esac
app_id=org.bd3studio.Studio

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
step() { echo "--- $*"; }

rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(realpath "$scratch")

step "cpack (DEB, TGZ)"
cpack --config "$build/CPackConfig.cmake" -G "DEB;TGZ" -B "$scratch/out" >"$scratch/cpack.log" 2>&1 ||
    { cat "$scratch/cpack.log" >&2; echo "FAIL: cpack" >&2; exit 1; }
debs=("$scratch"/out/bd3-studio_*.deb)
tarballs=("$scratch"/out/bd3-studio-*.tar.gz)
[[ -f ${debs[0]} && -f ${tarballs[0]} ]] || { ls -l "$scratch/out" >&2; echo "FAIL: no .deb or .tar.gz" >&2; exit 1; }
deb=${debs[0]}
tarball=${tarballs[0]}
echo "$(basename "$deb"), $(basename "$tarball")"

step "the .deb's control fields"
control=$(dpkg-deb --field "$deb")
echo "$control" | grep -E '^(Package|Version|Section|Depends):'
grep -qx 'Package: bd3-studio' <<<"$control" || fail "package name is not bd3-studio"
grep -q '^Maintainer: .' <<<"$control" || fail "no maintainer"
grep -q '^Section: .' <<<"$control" || fail "no section"
# dpkg-shlibdeps ran: the C library and the BLAS appear among the dependencies.
grep -Eq '^Depends: .*libc6.*' <<<"$control" || fail "no computed dependencies (dpkg-shlibdeps)"
grep -Eq '^Depends: .*libopenblas' <<<"$control" || fail "OpenBLAS is not a dependency"

step "install into a scratch root"
root=$scratch/root
for package in "$scratch"/out/*.deb; do # bd3-studio, and bd3-studio-cuda where built
    dpkg-deb -x "$package" "$root"
done
prefix=$root/usr
for file in bin/bd3 share/bd3studio/models/default/config.json share/man/man1/bd3.1; do
    [[ -e $prefix/$file ]] || fail "missing $file"
done
if [[ $with_studio == ON ]]; then
    for file in bin/bd3-studio share/applications/$app_id.desktop share/metainfo/$app_id.metainfo.xml \
        share/icons/hicolor/scalable/apps/$app_id.svg share/man/man1/bd3-studio.1; do
        [[ -e $prefix/$file ]] || fail "missing $file"
    done
fi
for program in "$prefix"/bin/*; do
    if ldd "$program" | grep -q 'not found'; then
        ldd "$program" | grep 'not found' >&2
        fail "$(basename "$program") misses libraries"
    fi
done

png_size() { # width x height from the IHDR chunk
    local bytes
    read -ra bytes < <(od -An -tu1 -j16 -N8 "$1")
    echo "$(((bytes[0] << 24) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3]))x$(((bytes[4] << 24) + (bytes[5] << 16) + (bytes[6] << 8) + bytes[7]))"
}

if [[ $with_studio == ON ]]; then
    step "desktop entry"
    desktop-file-validate "$prefix/share/applications/$app_id.desktop" || fail "desktop-file-validate"
    grep -qx "Icon=$app_id" "$prefix/share/applications/$app_id.desktop" || fail "the desktop entry names another icon"
    exec_line=$(grep -m1 '^Exec=' "$prefix/share/applications/$app_id.desktop")
    [[ -x $prefix/bin/${exec_line#Exec=} ]] || fail "the desktop entry runs ${exec_line#Exec=}, which is not installed"

    step "AppStream metainfo (errors fail; warnings are shown)"
    set +e
    validation=$(appstreamcli validate --no-net --explain "$prefix/share/metainfo/$app_id.metainfo.xml" 2>&1)
    status=$?
    tree=$(appstreamcli validate-tree --no-net "$root/usr" 2>&1)
    tree_status=$?
    set -e
    echo "$validation"
    echo "$tree"
    if grep -q '^E:' <<<"$validation$tree"; then
        fail "appstreamcli reports errors"
    elif ((status != 0)) && ! grep -q '^W:' <<<"$validation"; then
        fail "appstreamcli validate failed (status $status)"
    elif ((tree_status != 0)) && ! grep -q '^W:' <<<"$tree"; then
        fail "appstreamcli validate-tree failed (status $tree_status)"
    fi

    step "icons"
    for size in 16 22 24 32 48 64 128 256; do
        icon=$prefix/share/icons/hicolor/${size}x${size}/apps/$app_id.png
        if [[ ! -f $icon ]]; then
            fail "no ${size}x${size} icon"
        elif [[ $(png_size "$icon") != "${size}x${size}" ]]; then
            fail "the ${size}x${size} icon is $(png_size "$icon")"
        fi
    done
fi

step "manual pages"
render_man() { groff -man -Tascii -P-cbou "$1" 2>"$scratch/groff.log"; }
check_man() { # page, then the options the program prints
    local page=$1 text
    shift
    if ! text=$(render_man "$page") || [[ -s $scratch/groff.log ]]; then
        cat "$scratch/groff.log" >&2
        fail "$(basename "$page") does not format cleanly"
    fi
    for option in "$@"; do
        grep -qE -- "$option([^a-z0-9-]|\$)" <<<"$text" || fail "$(basename "$page") does not mention $option"
    done
}
long_options() { grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }
bd3=$prefix/bin/bd3
man_bd3=$prefix/share/man/man1/bd3.1
subcommands=$("$bd3" --help | awk '/^Subcommands:/ { on = 1; next } on && NF { print $1 }')
[[ -n $subcommands ]] || fail "bd3 --help lists no subcommands"
mapfile -t options < <("$bd3" --help | long_options)
check_man "$man_bd3" "${options[@]}"
for subcommand in $subcommands; do
    upper=$(tr '[:lower:]' '[:upper:]' <<<"$subcommand")
    grep -q "^\.SH \"BD3 $upper\"" "$man_bd3" || fail "bd3.1 has no section for bd3 $subcommand"
    mapfile -t options < <("$bd3" "$subcommand" --help | long_options)
    check_man "$man_bd3" "${options[@]}"
done
if [[ $with_studio == ON ]]; then
    studio_help=$(QT_QPA_PLATFORM=offscreen "$prefix/bin/bd3-studio" --help 2>/dev/null)
    mapfile -t options < <(long_options <<<"$studio_help")
    check_man "$prefix/share/man/man1/bd3-studio.1" "${options[@]}"
fi

step "the installed bd3"
version=$("$bd3" --version)
echo "$version"
[[ $version =~ ^bd3\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "bd3 --version printed '$version'"
model_default=$("$bd3" generate --help | grep -oE -- '--model TEXT=[^ ]+' | cut -d= -f2)
[[ $model_default == "$prefix/share/bd3studio/models/default" ]] ||
    fail "the installed bd3 defaults to the model '$model_default', not its own"
generated=$(cd "$scratch" && "$bd3" generate -p "The licence grants you" -n 8 --seed 1 2>&1) ||
    fail "installed bd3 generate failed"
echo "$generated"
grep -q '^stop: .* 8 tokens' <<<"$generated" || fail "installed bd3 generate did not write 8 tokens"

step "the tarball, unpacked anywhere"
anywhere=$(mktemp -d "$scratch/anywhere.XXXXXX")
tar -xzf "$tarball" -C "$anywhere"
unpacked=("$anywhere"/bd3-studio-*)
[[ -x ${unpacked[0]}/bin/bd3 ]] || fail "the tarball holds no bin/bd3"
generated=$(cd "$anywhere" && "${unpacked[0]}/bin/bd3" generate -p "Once upon a time" -n 8 --seed 2 2>&1) ||
    fail "bd3 generate from the unpacked tarball failed"
echo "$generated"
grep -q '^stop: .* 8 tokens' <<<"$generated" || fail "bd3 from the tarball did not write 8 tokens"
"${unpacked[0]}/bin/bd3" info | grep -q . || fail "bd3 info from the tarball printed nothing"

if [[ $with_studio == ON ]]; then
    step "the installed studio, offscreen, to its main window"
    # Its own settings folder, so no model remembered from another run is opened.
    mkdir -p "$scratch/config" "$scratch/runtime"
    chmod 700 "$scratch/runtime"
    shot=$scratch/studio.png
    if ! (cd "$scratch" && XDG_CONFIG_HOME=$scratch/config XDG_RUNTIME_DIR=$scratch/runtime QT_QPA_PLATFORM=offscreen \
        timeout 60 "$prefix/bin/bd3-studio" --screenshot "$shot" --screenshot-after-blocks 1); then
        fail "the installed studio did not start, generate and save its window"
    fi
    if [[ -s $shot ]]; then
        echo "window picture $(png_size "$shot")"
    else
        fail "no window picture"
    fi
    settings=$scratch/config/BD3\ Studio/bd3-studio.conf
    grep -qx "last=$prefix/share/bd3studio/models/default" "$settings" ||
        fail "the installed studio did not open its own default model ($(grep '^last=' "$settings" || true))"
fi

if ((failures > 0)); then
    echo "$failures packaging check(s) failed" >&2
    exit 1
fi
echo "packaging: all checks passed"
