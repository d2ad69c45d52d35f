using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

public class AwsProfileNamesTests
{
    [Fact]
    public void Profiles_come_from_both_files_config_sections_that_are_not_profiles_are_left_out()
    {
        var directory = Directory.CreateTempSubdirectory("altimeter-profiles-");
        try
        {
            var credentials = Path.Combine(directory.FullName, "credentials");
            var config = Path.Combine(directory.FullName, "config");
            File.WriteAllText(credentials, "[default]\naws_access_key_id = FAKE\n[ ci ]\n# [commented]\n[dev]\n");
            File.WriteAllText(config, "[default]\nregion = us-east-1\n[profile dev]\n[profile  prod-admin ]\n[sso-session corp]\n[services local]\n");

            Assert.Equal(new[] { "ci", "default", "dev", "prod-admin" }, AwsProfileNames.List(credentials, config));
            Assert.Empty(AwsProfileNames.List(Path.Combine(directory.FullName, "none"), Path.Combine(directory.FullName, "none either")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
