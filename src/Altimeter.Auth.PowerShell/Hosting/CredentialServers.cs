using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation.Runspaces;
using Altimeter.Auth;

namespace Altimeter.Auth.Commands;

/// <summary>
/// The credentials endpoints Start-AltimeterCredentialServer left running, and the runspace that
/// started each: Remove-Module stops those of the runspace that removes the module (a runspace
/// that still has it keeps its own). Endpoints of Invoke-AltimeterCommand -Refreshing are not
/// here: their block stops them. Stopping ends an endpoint's token; the process's one port stays
/// held until the process ends (see CredentialsListener).
/// </summary>
internal static class CredentialServers
{
    private static readonly ConcurrentDictionary<ContainerCredentialsEndpoint, Guid> s_running = new();

    public static void Keep(ContainerCredentialsEndpoint endpoint) => s_running[endpoint] = CurrentRunspace;

    public static void Stop(ContainerCredentialsEndpoint endpoint)
    {
        s_running.TryRemove(endpoint, out _);
        endpoint.Dispose();
    }

    public static void StopThoseOfThisRunspace()
    {
        var mine = CurrentRunspace;
        foreach (var endpoint in s_running.Where(e => e.Value == mine).Select(e => e.Key).ToList())
        {
            Stop(endpoint);
        }
    }

    private static Guid CurrentRunspace => Runspace.DefaultRunspace?.InstanceId ?? Guid.Empty;
}
