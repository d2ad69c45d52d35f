using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.Runtime;
using Amazon.SSO;
using Amazon.SSO.Model;

namespace Altimeter.Auth;

/// <summary>
/// The accounts a person signed in to IAM Identity Center may reach, as <c>aws sso list-accounts</c>
/// and <c>list-account-roles</c> give them: the portal's ListAccounts, every page, then
/// ListAccountRoles of each account, every page, at most <c>throttleLimit</c> accounts at a time.
/// The calls are the SDK's SSO client's (AWS_ENDPOINT_URL_SSO honoured, throttling and server errors
/// retried by its retry mode), with the token the sign-in left (<see cref="IdentityCenterAccessToken"/>).
/// </summary>
/// <remarks>
/// Followed: docs.aws.amazon.com/singlesignon/latest/PortalAPIReference (API_ListAccounts,
/// API_ListAccountRoles): pages of at most 100, <c>nextToken</c> until there is none; a refused
/// token is 401 UnauthorizedException.
/// </remarks>
internal sealed class IdentityCenterAccounts : IDisposable
{
    /// <summary>The largest page the portal gives (max_result, 1–100): fewest calls.</summary>
    internal const int PageSize = 100;

    private readonly IdentityCenterPortal _portal;
    private readonly IAmazonSSO _sso;
    private readonly Func<CancellationToken, Task<string>> _accessToken;
    private readonly IAuthLog _log;

    /// <summary>The accounts of <paramref name="portal"/>, with its token from ~/.aws/sso/cache.</summary>
    public IdentityCenterAccounts(IdentityCenterPortal portal, IAuthLog? log = null)
        : this(portal, SsoClientFor(portal.Region), new IdentityCenterAccessToken(portal).GetAsync, log)
    {
    }

    internal IdentityCenterAccounts(IdentityCenterPortal portal, IAmazonSSO sso, Func<CancellationToken, Task<string>> accessToken, IAuthLog? log)
    {
        _portal = portal ?? throw new ArgumentNullException(nameof(portal));
        _sso = sso ?? throw new ArgumentNullException(nameof(sso));
        _accessToken = accessToken ?? throw new ArgumentNullException(nameof(accessToken));
        _log = log ?? NullAuthLog.Instance;
    }

    /// <summary>
    /// Every account, in the portal's order, each with its role names. Role lists are fetched while
    /// later pages of accounts are still read, at most <paramref name="throttleLimit"/> at once.
    /// </summary>
    /// <exception cref="SsoSignInRequiredException">No usable token, or the portal refused it.</exception>
    /// <exception cref="SsoSignInException"><see cref="SsoSignInException.Failed"/>: the token could not be refreshed, or the token cache cannot be used.</exception>
    /// <exception cref="SsoPortalCallException">The portal failed a call for another reason.</exception>
    public async Task<IReadOnlyList<IdentityCenterAccount>> ListAsync(int throttleLimit, CancellationToken cancellationToken)
    {
        if (throttleLimit < 1) throw new ArgumentOutOfRangeException(nameof(throttleLimit), throttleLimit, "At least one call must be allowed at a time.");
        var token = await _accessToken(cancellationToken).ConfigureAwait(false);

        // The first failure stops the calls still waiting for their turn.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var throttle = new SemaphoreSlim(throttleLimit, throttleLimit);
        var accounts = new List<(AccountInfo Info, Task<List<string>> Roles)>();
        try
        {
            string? nextToken = null;
            do
            {
                var page = await CallAsync(
                    "ListAccounts",
                    null,
                    () => _sso.ListAccountsAsync(new ListAccountsRequest { AccessToken = token, MaxResults = PageSize, NextToken = nextToken }, failed.Token)).ConfigureAwait(false);
                foreach (var info in page.AccountList ?? new List<AccountInfo>())
                {
                    accounts.Add((info, RolesAsync(info.AccountId, token, throttle, failed)));
                }

                nextToken = page.NextToken;
                Log($"{_portal}: {accounts.Count} accounts listed{(string.IsNullOrEmpty(nextToken) ? "." : ", more to come.")}");
            }
            while (!string.IsNullOrEmpty(nextToken));

            await Task.WhenAll(accounts.Select(account => account.Roles)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failed.Cancel();
            // Role lists already running end before the throttle they use is disposed.
            await Task.WhenAll(accounts.Select(account => account.Roles.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default))).ConfigureAwait(false);
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            ExceptionDispatchInfo.Capture(Reason(e, accounts.Select(account => account.Roles))).Throw();
            throw;
        }

        return accounts.Select(account => new IdentityCenterAccount(account.Info.AccountId, account.Info.AccountName, account.Info.EmailAddress, account.Roles.Result)).ToList();
    }

    /// <inheritdoc />
    public void Dispose() => _sso.Dispose();

    /// <summary>An SSO (portal) client of <paramref name="region"/>: no AWS credentials, the bearer token goes in each request.</summary>
    internal static IAmazonSSO SsoClientFor(string region) =>
        new AmazonSSOClient(new AnonymousAWSCredentials(), new AmazonSSOConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(region) });

    private async Task<List<string>> RolesAsync(string accountId, string token, SemaphoreSlim throttle, CancellationTokenSource failed)
    {
        await throttle.WaitAsync(failed.Token).ConfigureAwait(false);
        try
        {
            var roles = new List<string>();
            string? nextToken = null;
            do
            {
                var page = await CallAsync(
                    "ListAccountRoles",
                    accountId,
                    () => _sso.ListAccountRolesAsync(new ListAccountRolesRequest { AccessToken = token, AccountId = accountId, MaxResults = PageSize, NextToken = nextToken }, failed.Token)).ConfigureAwait(false);
                roles.AddRange((page.RoleList ?? new List<RoleInfo>()).Select(role => role.RoleName));
                nextToken = page.NextToken;
            }
            while (!string.IsNullOrEmpty(nextToken));

            Log($"{accountId}: {roles.Count} roles.");
            return roles;
        }
        catch (Exception)
        {
            failed.Cancel();
            throw;
        }
        finally
        {
            throttle.Release();
        }
    }

    private async Task<T> CallAsync<T>(string operation, string? accountId, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (UnauthorizedException e)
        {
            throw new SsoSignInRequiredException(_portal, e);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            var status = e is AmazonServiceException { StatusCode: var code } && code != 0 ? $" ({(int)code} {(e as AmazonServiceException)!.ErrorCode})" : string.Empty;
            var account = accountId is null ? string.Empty : $" for account {accountId}";
            throw new SsoPortalCallException($"The IAM Identity Center portal of {_portal} ({_portal.StartUrl}) failed {operation}{account}{status}: {e.Message}", e);
        }
    }

    // What the person should hear: a refused token before any other failure (signing in again is
    // the fix), and never the cancellations the first failure caused.
    private static Exception Reason(Exception caught, IEnumerable<Task> roleLists)
    {
        var reasons = new[] { caught }.Concat(roleLists.Where(task => task.IsFaulted).Select(task => task.Exception!.InnerException!)).ToList();
        return reasons.OfType<SsoSignInRequiredException>().FirstOrDefault<Exception>()
            ?? reasons.FirstOrDefault(reason => reason is not OperationCanceledException)
            ?? caught;
    }

    private void Log(string message)
    {
        if (_log.IsEnabled)
        {
            _log.Verbose(message);
        }
    }
}
