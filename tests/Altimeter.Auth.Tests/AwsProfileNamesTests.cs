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

    [Fact]
    public void Identity_Center_profiles_and_sso_sessions_are_read_from_the_config_file_later_lines_winning()
    {
        var directory = Directory.CreateTempSubdirectory("altimeter-profiles-");
        try
        {
            var config = Path.Combine(directory.FullName, "config");
            File.WriteAllText(config,
                "[default]\nsso_session = corp\n[profile plain]\nregion = eu-west-1\n[profile legacy]\nsso_start_url = https://x.awsapps.com/start\n" +
                "[profile unset]\nsso_session = corp\n[profile unset]\nsso_session =\n[profile late]\nregion = us-east-1\n[profile late]\nsso_session = corp\n" +
                "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n[sso-session  eu ]\n[sso-session corp]\n[services corp]\n");

            Assert.Equal(new[] { "default", "late", "legacy" }, AwsProfileNames.IdentityCenterProfiles(config));
            Assert.Equal(new[] { "corp", "eu" }, AwsProfileNames.SsoSessions(config));
            Assert.Empty(AwsProfileNames.IdentityCenterProfiles(Path.Combine(directory.FullName, "none")));
            Assert.Empty(AwsProfileNames.SsoSessions(Path.Combine(directory.FullName, "none")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
