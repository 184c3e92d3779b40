//! The argon2 computations themselves: PHC strings of new hashes, verification against any
//! stored PHC string, and the dummy hash for unknown users. Pure functions over a memory
//! buffer the caller lends.

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{Output, ParamsString, PasswordHash as PhcHash, SaltString, rand_core::OsRng},
};
use sessions_application::ports::HashingError;

pub(super) fn failure(error: impl std::fmt::Display) -> HashingError {
    HashingError::Failed(error.to_string())
}

/// Output length of new hashes, in bytes.
pub(super) const OUTPUT_LEN: usize = 32;

/// Computes `password`'s argon2 hash with `params` and `salt` into `out`, in `memory`
/// (grown when the parameters need more).
fn compute(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Vec<Block>,
) -> Result<(), HashingError> {
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
        .map_err(failure)
}

/// A PHC string with `params` that no password matches (its output is zeros): verifying
/// against it costs exactly a real verification, without computing anything at startup.
pub(super) fn dummy_phc(params: &Params) -> Result<String, HashingError> {
    let salt = SaltString::from_b64("c2Vzc2lvbnMtZHVtbXktc2FsdA").map_err(failure)?;
    let phc = PhcHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(failure)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&[0_u8; OUTPUT_LEN]).map_err(failure)?),
    };
    Ok(phc.to_string())
}

/// A new PHC string for `password` with a fresh salt.
pub(super) fn new_phc(
    params: &Params,
    password: &[u8],
    memory: &mut Vec<Block>,
) -> Result<String, HashingError> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0_u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(failure)?;
    let mut out = [0_u8; OUTPUT_LEN];
    compute(
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        password,
        salt_bytes,
        &mut out,
        memory,
    )?;
    let phc = PhcHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(failure)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(failure)?),
    };
    Ok(phc.to_string())
}

/// Whether `candidate` matches the PHC string `phc` (whatever parameters it was made with).
pub(super) fn matches(
    candidate: &[u8],
    phc: &str,
    memory: &mut Vec<Block>,
) -> Result<bool, HashingError> {
    let parsed = PhcHash::new(phc).map_err(failure)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(failure)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(failure)?
        .unwrap_or_default();
    let expected = parsed
        .hash
        .ok_or_else(|| failure("stored hash has no output"))?;
    let params = Params::try_from(&parsed).map_err(failure)?;
    let mut salt_bytes = [0_u8; 64];
    let salt = parsed
        .salt
        .ok_or_else(|| failure("stored hash has no salt"))?
        .decode_b64(&mut salt_bytes)
        .map_err(failure)?;
    let mut out = vec![0_u8; expected.len()];
    compute(
        algorithm, version, params, candidate, salt, &mut out, memory,
    )?;
    // Output's equality is constant-time.
    Ok(Output::new(&out).map_err(failure)? == expected)
}
