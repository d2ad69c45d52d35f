using System;
using Amazon.Runtime.CredentialManagement;

namespace Altimeter.Auth;

/// <summary>
/// The shared config and credentials files as the environment names them now. The SDK reads
/// AWS_SHARED_CREDENTIALS_FILE once per process, the first time it is used; a script that
/// points it elsewhere later would otherwise still read the old file.
/// </summary>
internal static class SharedProfileStore
{
    public static CredentialProfileStoreChain Open()
    {
        var credentialsFile = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE");
        return string.IsNullOrEmpty(credentialsFile) ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(credentialsFile);
    }
}
