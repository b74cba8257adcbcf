using System.Net;

namespace U7s.Oci.Auth;

/// <summary>
/// The one login check of both ports (:80 and :81 share an instance in <c>u7s serve</c>): a (user, address)
/// pair past its failure limit is refused without a password check; otherwise the password is checked
/// and a failure counted against that pair only, so nobody else's failures refuse a correct login.
/// </summary>
public sealed class LoginGate(ICredentialValidator users, LoginThrottle throttle)
{
    /// <summary>Whether logins are configured (see <see cref="ICredentialValidator.HasUsers"/>).</summary>
    public bool HasUsers => users.HasUsers;

    public async Task<LoginResult> CheckAsync(string user, string password, IPAddress? remote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (throttle.IsBlocked(user, remote))
        {
            return LoginResult.Throttled;
        }

        if (await users.ValidateAsync(user, password, cancellationToken))
        {
            throttle.Succeeded(user, remote);
            return LoginResult.Valid;
        }

        throttle.Failed(user, remote);
        return LoginResult.Invalid;
    }
}
