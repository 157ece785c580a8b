#pragma once
// GCC 12 reports a false -Wuninitialized inside its own avx512fintrin.h when Eigen's vectorized
// float functions (log, sin, cos, tanh) and QR are inlined with -march=native on AVX-512
// machines (GCC bug 105593; -Wmaybe-uninitialized is off in CMakeLists.txt for the same reason).
// Included by the model sources that instantiate those kernels; it silences the warning for the
// rest of that translation unit only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
