// dkg: dealer-free distributed Paillier key generation and threshold decryption.
//
// The umbrella header: includes every public header of the library, for programs that would rather
// not pick them one by one. The GMP backend (dkg::gmp_int) is included when DKG_HAS_GMP is 1 (see
// <dkg/config.hpp>), as by <dkg/bigint.hpp>; using it requires linking dkg::gmp.
// The test doubles of <dkg/testing/...> are not included.
#pragma once

// Numbers: the big_integer concept, its traits, the shipped backends, random generators.
#include <dkg/bigint.hpp>
#include <dkg/bigint/boost_multiprecision.hpp>
#include <dkg/bigint/traits.hpp>
#include <dkg/config.hpp>
#include <dkg/rng.hpp>

// Paillier encryption and fixed-point encoding.
#include <dkg/encoding.hpp>
#include <dkg/paillier.hpp>

// Messages, errors and warnings.
#include <dkg/codec.hpp>
#include <dkg/diagnostics.hpp>
#include <dkg/error.hpp>

// Transports and sessions.
#include <dkg/session.hpp>
#include <dkg/steps.hpp>
#include <dkg/transport.hpp>
#include <dkg/transport/framing.hpp>
#include <dkg/transport/mailbox.hpp>
#include <dkg/transport/memory.hpp>
#include <dkg/transport/tcp.hpp>

// Distributed key generation and its layers.
#include <dkg/biprime.hpp>
#include <dkg/in_process.hpp>
#include <dkg/key_share.hpp>
#include <dkg/key_sharing.hpp>
#include <dkg/keygen.hpp>
#include <dkg/keygen/bgw_opening.hpp>
#include <dkg/keygen/context.hpp>
#include <dkg/keygen/params.hpp>
#include <dkg/keygen/policies.hpp>
#include <dkg/shamir.hpp>
#include <dkg/shamir/integer.hpp>
#include <dkg/shamir/modular.hpp>
#include <dkg/sieve.hpp>

// Threshold decryption: the one-shot functions, the scheme policy and its default model, and the
// distributed decryption over a session.
#include <dkg/threshold.hpp>
#include <dkg/threshold/async_decrypt.hpp>
#include <dkg/threshold/paillier_scheme.hpp>
#include <dkg/threshold/scheme.hpp>

// Zero-knowledge proofs on ciphertexts and encrypted ballots.
#include <dkg/proofs.hpp>
#include <dkg/proofs/ballot.hpp>
#include <dkg/proofs/blinding.hpp>
#include <dkg/proofs/membership.hpp>
#include <dkg/proofs/plaintext_knowledge.hpp>
#include <dkg/proofs/serialization.hpp>
#include <dkg/proofs/transcript.hpp>

// Files and text forms of keys, ciphertexts, partial decryptions and key shares.
#include <dkg/serialization.hpp>
