//! Known answers: SHA-3 and SHAKE from Python's hashlib, Keccak from the
//! sponge of FIPS 202 with Keccak's padding (Keccak-256 of "" is Ethereum's
//! empty hash).

extern crate std;

use std::string::String;
use std::vec::Vec;

use crate::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| std::format!("{b:02x}")).collect()
}

/// 1,000 bytes: several blocks of every rate plus a partial one.
fn long() -> Vec<u8> {
    (0..1000u32).map(|i| (i * 7 + 3) as u8).collect()
}

/// Hashes `data` whole and split in two at several points.
fn check<H: Hasher + Clone>(fresh: H, data: &[u8], len: usize, want: &str) {
    for split in [0, 1, 7, 8, 71, 72, 136, 137, 168, 500] {
        if split > data.len() {
            continue;
        }
        let mut h = fresh.clone();
        h.update(&data[..split]);
        h.update(&data[split..]);
        let mut out = std::vec![0u8; len];
        h.finalize(&mut out);
        assert_eq!(hex(&out), want, "split at {split}");
    }
}

#[test]
fn known_answers() {
    check(
        Keccak::v224(),
        b"",
        28,
        "f71837502ba8e10837bdd8d365adb85591895602fc552b48b7390abd",
    );
    check(
        Keccak::v224(),
        b"abc",
        28,
        "c30411768506ebe1c2871b1ee2e87d38df342317300a9b97a95ec6a8",
    );
    check(
        Keccak::v224(),
        &long(),
        28,
        "775be3104d7980a1f37aa3680b9af6e1e829d12dc11103d7a8f0e406",
    );
    check(
        Keccak::v256(),
        b"",
        32,
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    check(
        Keccak::v256(),
        b"abc",
        32,
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
    check(
        Keccak::v256(),
        &long(),
        32,
        "80cdc8dd52cbb3dbaea8f383209893fa2bb52efbd5aedbb4b26dcfe307fcdc9b",
    );
    check(Keccak::v384(), b"", 48, "2c23146a63a29acf99e73b88f8c24eaa7dc60aa771780ccc006afbfa8fe2479b2dd2b21362337441ac12b515911957ff");
    check(Keccak::v384(), b"abc", 48, "f7df1165f033337be098e7d288ad6a2f74409d7a60b49c36642218de161b1f99f8c681e4afaf31a34db29fb763e3c28e");
    check(Keccak::v384(), &long(), 48, "6c4838539e068ce73995594fd93fe1fdbda01baf542661728f8d4a060dc9a718fb0dc02b0ccf38e67e28fd4fc7128ae7");
    check(Keccak::v512(), b"", 64, "0eab42de4c3ceb9235fc91acffe746b29c29a8c366b7c60e4e67c466f36a4304c00fa9caf9d87976ba469bcbe06713b435f091ef2769fb160cdab33d3670680e");
    check(Keccak::v512(), b"abc", 64, "18587dc2ea106b9a1563e32b3312421ca164c7f1f07bc922a9c83d77cea3a1e5d0c69910739025372dc14ac9642629379540c17e2a65b19d77aa511a9d00bb96");
    check(Keccak::v512(), &long(), 64, "d9b704aa601fdc425139fd2a6b3965b90d1bad81751bcf94591f532881d657a856a0fc6196b762843ef4ceac0504872bf2d94d9c64e68a3594b5808c42bc0b99");
    check(
        Sha3::v224(),
        b"",
        28,
        "6b4e03423667dbb73b6e15454f0eb1abd4597f9a1b078e3f5b5a6bc7",
    );
    check(
        Sha3::v224(),
        b"abc",
        28,
        "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf",
    );
    check(
        Sha3::v224(),
        &long(),
        28,
        "56812d3d31242051de174106777f4108c791ab801f1569f73d57fa0b",
    );
    check(
        Sha3::v256(),
        b"",
        32,
        "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
    );
    check(
        Sha3::v256(),
        b"abc",
        32,
        "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
    );
    check(
        Sha3::v256(),
        &long(),
        32,
        "bd8b4d76041e0135e53fab1aaf425c7b1c129d8878ffb64cc31230ccafd7dc7c",
    );
    check(Sha3::v384(), b"", 48, "0c63a75b845e4f7d01107d852e4c2485c51a50aaaa94fc61995e71bbee983a2ac3713831264adb47fb6bd1e058d5f004");
    check(Sha3::v384(), b"abc", 48, "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25");
    check(Sha3::v384(), &long(), 48, "01269eed23d8f1c00d333933989211974c16fed038dfde30f8514168ae13e8409f565dbe4d81399b6ed23db9762f7989");
    check(Sha3::v512(), b"", 64, "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26");
    check(Sha3::v512(), b"abc", 64, "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0");
    check(Sha3::v512(), &long(), 64, "3d71681b54b99f11ddeb233b0a41b65896f7b30dda9e83d52864a4e818a09408e2f306028abe973298f96ee081a06e5ac8156cd7b856f0eb28270e1ca37bd0c6");
    check(Shake::v128(), b"", 300, "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef263cb1eea988004b93103cfb0aeefd2a686e01fa4a58e8a3639ca8a1e3f9ae57e235b8cc873c23dc62b8d260169afa2f75ab916a58d974918835d25e6a435085b2badfd6dfaac359a5efbb7bcc4b59d538df9a04302e10c8bc1cbf1a0b3a5120ea17cda7cfad765f5623474d368ccca8af0007cd9f5e4c849f167a580b14aabdefaee7eef47cb0fca9767be1fda69419dfb927e9df07348b196691abaeb580b32def58538b8d23f87732ea63b02b4fa0f4873360e2841928cd60dd4cee8cc0d4c922a96188d032675c8ac850933c7aff1533b94c834adbb69c6115bad4692d8619f90b0cdf8a7b9c264029ac185b70b83f2801f2f4b3f70c593ea3aeeb613a7f1b1de33fd75081f592305f2e45");
    check(Shake::v128(), b"abc", 300, "5881092dd818bf5cf8a3ddb793fbcba74097d5c526a6d35f97b83351940f2cc844c50af32acd3f2cdd066568706f509bc1bdde58295dae3f891a9a0fca5783789a41f8611214ce612394df286a62d1a2252aa94db9c538956c717dc2bed4f232a0294c857c730aa16067ac1062f1201fb0d377cfb9cde4c63599b27f3462bba4a0ed296c801f9ff7f57302bb3076ee145f97a32ae68e76ab66c48d51675bd49acc29082f5647584e6aa01b3f5af057805f973ff8ecb8b226ac32ada6f01c1fcd4818cb006aa5b4cdb3611eb1e533c8964cacfdf31012cd3fb744d02225b988b475375faad996eb1b9176ecb0f8b2871723d6dbb804e23357e50732f5cfc904b1319795000d7361d9e5e1b77b4b8f5774aa1482cfa58f83096bdb2e06a3eed543a38919b57ecbec737f4086be");
    check(Shake::v128(), &long(), 300, "e666e4224e1a10753e9267e04c93764c4380baad17313529724720d9fca679af826492f91bcec4a81f460b694e8ce8366952c07efc0d5f158bb4a62ab2adbe1ed2b97aa1aab06b5b59aedbd836addb8365473895ce720cae21a3298c3bdc9647afb0f0ceeb6e12b4e5f19daa3bb3af6f363c89abf3dc0f4064d47e9a58acbb398bd959972b608cd0085c78023a144b6c742adf39a7067ff95521bffcffe12acf62a92e80eb5de7204c4ef09864c24a54ffa92efe00da634291d262cd9905bc9571a6e081b7367cad7e8443cf17bda7469e939e049564b9fe9c827eb1b892e4784a11bde0684ecbc7d93966385bb48721286177fb91dbaa2425944b77f945329a457d999945a54219f943746c9c01f0490fc1d1b393cc1385428cdfb93f5f716ec95473656b5618d720cc5fa8");
    check(Shake::v256(), b"", 300, "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762fd75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be141e96616fb13957692cc7edd0b45ae3dc07223c8e92937bef84bc0eab862853349ec75546f58fb7c2775c38462c5010d846c185c15111e595522a6bcd16cf86f3d122109e3b1fdd943b6aec468a2d621a7c06c6a957c62b54dafc3be87567d677231395f6147293b68ceab7a9e0c58d864e8efde4e1b9a46cbe854713672f5caaae314ed9083dab4b099f8e300f01b8650f1f4b1d8fcf3f3cb53fb8e9eb2ea203bdc970f50ae55428a91f7f53ac266b28419c3778a15fd248d339ede785fb7f5a1aaa96d313eacc890936c173cdcd0fab882c45755feb3aed96d477ff96390bf9a66d1368b208e21f7c10d0");
    check(Shake::v256(), b"abc", 300, "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739d5a15bef186a5386c75744c0527e1faa9f8726e462a12a4feb06bd8801e751e41385141204f329979fd3047a13c5657724ada64d2470157b3cdc288620944d78dbcddbd912993f0913f164fb2ce95131a2d09a3e6d51cbfc622720d7a75c6334e8a2d7ec71a7cc29cf0ea610eeff1a588290a53000faa79932becec0bd3cd0b33a7e5d397fed1ada9442b99903f4dcfd8559ed3950faf40fe6f3b5d710ed3b677513771af6bfe11934817e8762d9896ba579d88d84ba7aa3cdc7055f6796f195bd9ae788f2f5bb96100d6bbaff7fbc6eea24d4449a2477d172a5507dcc931412fc346b1bb39b878330e026b12ddf384af3334560ea1d363966caa7d8ddcbec7da52b42215c11d5f8ee57f341");
    check(Shake::v256(), &long(), 300, "980bf59987a720e516297296f92a27bba960e48a40bd01a0415b2e5dee26313d0a3f3ce47abe9e0f73cf74dc4fe68a5d51259bda988fa50fe68735dcda7edc5228e6915c04011df0e7a7e63b0316b55f06e2abd2062ac11e91c228700a1ee4717c9e4bbe162556e0303f26318c5df69f169856cfd3f8953c1ad3419a9bf51c73a47d19868b347e3dea9ec6fb2d86f70e53f30cdf74d9bb0ba1aa090ef75fefff02402db4e374c9a614ac0bd4f523b8a069a23701dd1e952680c9a3110dce8b9ba259b818bb6c820a1a72b2401ef913fddeab3bf6d086cf2ff841250f4077ddbac72ae4d6c66a652cbe7f84de81663d617e708fd31c078a099db5834e39a0fe4846ba2b66977d02b7e7e5ba80e252aa4fb5dcd77e538a547e7d6304aa1d10629427542f1dd4360cb178a3b9e0");
}

#[test]
fn shake_squeezes_in_pieces() {
    let mut whole = Shake::v128();
    whole.update(&long());
    let mut want = [0u8; 400];
    whole.squeeze(&mut want);
    let mut pieces = Shake::v128();
    pieces.update(&long());
    let mut got = [0u8; 400];
    for chunk in got.chunks_mut(37) {
        pieces.squeeze(chunk);
    }
    assert_eq!(got, want);
}

/// Absorbing after a squeeze that used up a whole block (the case an
/// independent review found wrong in the first version; the expected bytes
/// are upstream tiny-keccak 2.0.2's).
#[test]
fn shake_absorbs_after_a_block_aligned_squeeze() {
    let mut shake = Shake::v128();
    shake.update(b"abc");
    let mut block = [0u8; 168];
    shake.squeeze(&mut block);
    shake.update(b"more");
    let mut out = [0u8; 32];
    shake.squeeze(&mut out);
    assert_eq!(
        hex(&out),
        "32f4e947fa5d026ce7542db8aa7a321b06c856b15b866361dccd3b332d43995f"
    );
}

#[test]
fn keccakf_is_the_permutation() {
    // Keccak-256 of "" is one permutation of the padded state.
    let mut state = [0u64; 25];
    state[0] = 0x01;
    state[16] = 0x80 << 56;
    keccakf(&mut state);
    let digest: Vec<u8> = state[..4].iter().flat_map(|l| l.to_le_bytes()).collect();
    assert_eq!(
        hex(&digest),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
}
