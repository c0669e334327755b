// Zero-knowledge proofs on Paillier ciphertexts (docs/protocol.md §9): knowledge of a plaintext
// and nonce, membership of the plaintext in a public set, correct blinding, and encrypted ballots
// with proofs of validity; non-interactive (Fiat–Shamir with SHA-256), bound to a caller-given
// context, with the interactive Σ-protocols and their simulators in dkg::sigma.
#pragma once

#include <dkg/proofs/ballot.hpp>
#include <dkg/proofs/blinding.hpp>
#include <dkg/proofs/membership.hpp>
#include <dkg/proofs/plaintext_knowledge.hpp>
#include <dkg/proofs/transcript.hpp>
