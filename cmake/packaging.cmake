# Debian packages made with CPack from the install components (included by CMakeLists.txt):
#
#   libdkg-dev   (architecture all)  the headers, the CMake package and the pkg-config files
#   dkg-tools    (this architecture) the dkg command and its bash completion
#
#   cmake --build build && (cd build && cpack -G DEB)   # writes build/libdkg-dev_*.deb, build/dkg-tools_*.deb
#
# libdkg-dev depends on the Debian development packages the headers need; dkg-tools's
# dependencies are found by dpkg-shlibdeps from the libraries the executable links (package
# dpkg-dev). test/package checks both by installing them into a scratch root.
set(DKG_PACKAGE_MAINTAINER "dkg developers" CACHE STRING "Maintainer field of the Debian packages")

set(CPACK_PACKAGE_NAME dkg)
set(CPACK_PACKAGE_VENDOR "dkg")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "${DKG_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON) # debugging symbols are not shipped
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)

set(CPACK_COMPONENTS_ALL dev)
if(TARGET dkg_cli)
  list(APPEND CPACK_COMPONENTS_ALL tools)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

# libdkg-dev: the library itself needs only headers; GMP and OpenSSL when their targets are exported.
set(dkg_dev_depends "libboost1.81-dev (>= 1.81)")
if(DKG_WITH_GMP)
  string(APPEND dkg_dev_depends ", libgmp-dev")
endif()
if(DKG_WITH_TLS)
  string(APPEND dkg_dev_depends ", libssl-dev (>= 3)")
endif()
if(DKG_WITH_SODIUM)
  string(APPEND dkg_dev_depends ", libsodium-dev")
endif()
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libdkg-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${dkg_dev_depends}")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "libboost-test1.81-dev, pkg-config")
set(CPACK_COMPONENT_DEV_DESCRIPTION "${PROJECT_DESCRIPTION} (C++20 headers)
A header-only C++20 library with which n parties that do not trust each other create a
Paillier key N = p*q that nobody can factor alone, and decrypt with any t+1 of the key shares.
Includes the CMake package (find_package(dkg): dkg::dkg, dkg::gmp, dkg::tls, dkg::sodium) and the
pkg-config files dkg, dkg-gmp, dkg-tls and dkg-sodium.")

# dkg-tools: the command-line tool.
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME dkg-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SUGGESTS "bash-completion")
set(CPACK_COMPONENT_TOOLS_DESCRIPTION "${PROJECT_DESCRIPTION} (command-line tool)
The dkg command: generate a threshold Paillier key with all parties in one process or one
process per party over TCP or TLS, encrypt, add and multiply ciphertexts, and decrypt with
any t+1 key shares, locally or among running party processes. Key-share files may be
encrypted with a passphrase. With bash completion.")

include(CPack)
