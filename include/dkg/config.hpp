// The configuration macros of dkg, decided once here for every header.
//
// DKG_HAS_GMP: 1 if the GMP backend (dkg::gmp_int, dkg/bigint/gmp.hpp) is available, else 0. It is
// the one macro that decides; headers, tests, examples, benchmarks and tools test `#if DKG_HAS_GMP`.
//  - With CMake the targets define it: dkg::gmp defines DKG_HAS_GMP=1 (and links libgmp); in a
//    build configured without GMP (GMP not found, or -DDKG_WITH_GMP=OFF) dkg::dkg defines
//    DKG_HAS_GMP=0, so that no header includes <gmp.h> even where it is installed.
//  - Otherwise (another build system, or a target that links dkg::dkg alone in a build with GMP)
//    it is derived below: 1 if <gmp.h> can be included, else 0. Define it yourself, to 0 or 1, to
//    decide. Using dkg::gmp_int needs libgmp at link time.
#pragma once

#if !defined(DKG_HAS_GMP)
#if __has_include(<gmp.h>)
#define DKG_HAS_GMP 1
#else
#define DKG_HAS_GMP 0
#endif
#endif
