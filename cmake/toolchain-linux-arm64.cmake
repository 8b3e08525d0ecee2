# toolchain-linux-arm64.cmake - cross-compile the provider for linux_arm64
# (AWS Graviton and other aarch64 Linux) on a Debian amd64 machine.
#
#   scripts/install-deps.sh arm64        # gcc-aarch64-linux-gnu, the :arm64 -dev
#                                        # packages, qemu-user-static (Debian only)
#   cmake -S . -B build-arm64 --toolchain cmake/toolchain-linux-arm64.cmake
#   cmake --build build-arm64 -j2        # provider, unit tests, tools
#   (cd build-arm64 && ctest)            # the unit tests, under qemu-user-static
#
# Debian's multiarch layout needs no sysroot: the aarch64 headers and static
# archives of the :arm64 -dev packages live in /usr/include/aarch64-linux-gnu
# and /usr/lib/aarch64-linux-gnu, which aarch64-linux-gnu-gcc searches, and
# the cross pkg-config (pkgconf's aarch64-linux-gnu-pkg-config) reads only the
# aarch64 .pc files there. The build-time tools (protoc-c, python3) stay the
# host's. The link is the same static one as amd64 (CMakeLists.txt): only
# libc and libm shared, libcurl dlopen()ed.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(SSMPATCH_CROSS_TRIPLE aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${SSMPATCH_CROSS_TRIPLE}-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE ${SSMPATCH_CROSS_TRIPLE})

find_program(SSMPATCH_CROSS_PKG_CONFIG ${SSMPATCH_CROSS_TRIPLE}-pkg-config)
if(NOT SSMPATCH_CROSS_PKG_CONFIG)
  message(FATAL_ERROR "${SSMPATCH_CROSS_TRIPLE}-pkg-config not found: scripts/install-deps.sh arm64")
endif()
set(PKG_CONFIG_EXECUTABLE ${SSMPATCH_CROSS_PKG_CONFIG} CACHE FILEPATH "cross pkg-config" FORCE)

# Host programs from the host; libraries and headers only for the target.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# ctest (and the release's handshake probe) run aarch64 executables through
# qemu's user-mode emulator; the aarch64 loader and libc are libc6:arm64's.
find_program(SSMPATCH_QEMU qemu-aarch64-static qemu-aarch64)
if(SSMPATCH_QEMU)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SSMPATCH_QEMU})
endif()
