#pragma once
/// @file decimal.hpp
/// Exact powers of ten, for rounding doubles to decimal places without a libm
/// call per value.

#include <array>

namespace nbaprops {

/// 10^0 … 10^9, each exactly representable (std::pow(10.0, k) returns the same
/// doubles).
inline constexpr std::array<double, 10> kPowersOfTen = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

}  // namespace nbaprops
