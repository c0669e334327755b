// The sharing layer: Shamir secret sharing over Z_m (dkg/shamir/modular.hpp) and over the integers
// with statistical hiding (dkg/shamir/integer.hpp).
#pragma once

#include <dkg/shamir/integer.hpp>
#include <dkg/shamir/modular.hpp>
