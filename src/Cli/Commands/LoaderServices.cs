using U7s.Cli.Loading;
using U7s.Loader.Signing;
using U7s.Oci.Policy;

namespace U7s.Cli.Commands;

/// <summary>
/// The seams <c>load-sign-oci</c> needs from the rest of the product: the OpenPGP signer of the
/// imagemaker (SPEC §2.2-2.4) and the judge that checks pushed images under the node policy.
/// <see cref="Default"/> is what <see cref="CliApp"/> wires: U7s's own keys, signature store and
/// policy evaluator. A set without them refuses to load (SPEC §1.5 row 13) before anything is pushed.
/// </summary>
internal sealed record LoaderServices
{
    public static LoaderServices Default { get; } = new()
    {
        Signer = SigstoreImageSigner.Create,
        Verifier = LoaderJudge.Create,
    };

    /// <summary>Creates the signer for the key, passphrase file and signature store given on the command line.</summary>
    public Func<SignerSettings, IImageSigner>? Signer { get; init; }

    /// <summary>Creates the judge for the policy and the registry the images were pushed to.</summary>
    public Func<VerifierSettings, IImageJudge>? Verifier { get; init; }
}
