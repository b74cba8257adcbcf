using System.Net;

namespace U7s.Security.Login;

/// <summary>
/// The one login check of both ports (:80 and :81 share an instance in <c>u7s serve</c>): a (user, address)
/// pair past its failure limit is refused without a password check; so is an address past its own budget
/// of failures (any users), unless the login is one already known correct, which needs no check (any other
/// attempt there still counts against its pair); otherwise
/// the password is checked and a failure counted against that pair and that address only, so failures
/// from elsewhere never refuse a correct login.
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

        if (throttle.IsAddressSpent(remote))
        {
            if (!users.IsRemembered(user, password))
            {
                // Still a wrong guess for this pair: otherwise guesses compared with remembered logins
                // would be free and unlimited here.
                throttle.Refused(user, remote);
                return LoginResult.Throttled;
            }

            throttle.Succeeded(user, remote);
            return LoginResult.Valid;
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
