using U7s.Loader.Signing;

namespace U7s.Cli.Commands;

/// <summary>
/// The seams <c>load-sign-oci</c> needs from the rest of the product: the OpenPGP signer of the
/// imagemaker (SPEC §2.2-2.4) and the verifier that checks pushed images under the node policy.
/// <see cref="Default"/> is what <see cref="CliApp"/> wires; a build without them refuses to load
/// (SPEC §1.5 row 13) before anything is pushed.
/// </summary>
internal sealed record LoaderServices
{
    public static LoaderServices Default { get; } = new();

    /// <summary>Creates the signer for the e-mail and passphrase file given on the command line.</summary>
    public Func<SignerSettings, IImageSigner>? Signer { get; init; }

    /// <summary>Creates the verifier for the registry the images were pushed to.</summary>
    public Func<Uri, IImageVerifier>? Verifier { get; init; }
}
