using System.Security.Cryptography;
using Altimeter.Auth;
using Xunit;

namespace Altimeter.Auth.Tests;

// The copies of the user's AWS config files a block's children get: every credential key out, by
// the rules of the strictest reader (Python's configparser in botocore: "=" or ":", any case, any
// indentation, continuation lines, [DEFAULT]); everything else kept line for line; owner-only; gone
// afterwards; the user's files never written. Paths are passed in: no process environment is touched.
public sealed class ChildProfileFilesTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("altimeter-child-profiles-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData("aws_access_key_id = AKIAEXAMPLE\n")]
    [InlineData("AWS_SECRET_ACCESS_KEY=secret\n")]
    [InlineData("aws_session_token: token-after-a-colon\n")]
    [InlineData("  aws_security_token = indented\n")]
    [InlineData("\taws_account_id = 111111111111\n")]
    [InlineData("credential_process = /bin/sh -c 'echo {}'\n")]
    [InlineData("credential_source = Ec2InstanceMetadata\n")]
    [InlineData("Role_Arn = arn:aws:iam::1:role/r\n")]
    [InlineData("role_session_name = s\n")]
    [InlineData("source_profile = base\n")]
    [InlineData("web_identity_token_file = /tmp/t\n")]
    [InlineData("mfa_serial = arn:aws:iam::1:mfa/u\n")]
    [InlineData("external_id = x\n")]
    [InlineData("duration_seconds = 3600\n")]
    [InlineData("login_session = arn:aws:iam::1:user/u\n")]
    [InlineData("sso_session = corp\n")]
    [InlineData("sso_start_url = https://x.awsapps.com/start\n")]
    [InlineData("sso_account_id = 1\nsso_role_name = r\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n")]
    public void Every_credential_key_goes_whatever_its_case_delimiter_or_indentation(string line)
    {
        var filtered = CredentialFreeConfig.Filter("[default]\nregion = eu-west-1\n" + line + "output = json\n");

        Assert.Equal("[default]\nregion = eu-west-1\noutput = json\n", filtered);
    }

    // What each reader trims off a key that .NET's Trim keeps: Python's str.strip (botocore) the
    // separators U+001C..U+001F; the Java SDK 2's String.trim (ProfileFileReader.parsePropertyDefinition)
    // every control character up to U+0020, before the key or after it; JavaScript's trim (the JS
    // SDK 3's parseIni) U+FEFF. Each of these lines is credential_process to one of them.
    [Theory]
    [InlineData("\u001fcredential_process = /bin/own-identity\n")]
    [InlineData("\u001ccredential_process = /bin/own-identity\n")]
    [InlineData("\u0001credential_process = /bin/own-identity\n")]
    [InlineData("source_profile\u0001 = base\n")]
    [InlineData("\u0000aws_access_key_id = AKIAEXAMPLE\n")]
    [InlineData("\ufeffcredential_process = /bin/own-identity\n")]
    [InlineData("\u001frole_arn = arn:aws:iam::1:role/r\n\u001fsource_profile = base\n")]
    public void A_credential_key_wrapped_in_characters_some_reader_trims_goes_too(string line)
    {
        var filtered = CredentialFreeConfig.Filter("[default]\n" + line + "region = eu-west-1\n");

        Assert.Equal("[default]\nregion = eu-west-1\n", filtered);
    }

    [Fact]
    public void Everything_else_stays_line_for_line_with_its_line_endings_and_headers()
    {
        var text = "# mine\r\n[default]\r\nregion = eu-west-1\r\ns3 =\r\n  addressing_style = path\r\n  max_concurrent_requests = 20\r\n"
            + "ca_bundle = /etc/ssl/corp.pem\nretry_mode = adaptive\nmax_attempts = 7\nendpoint_url = http://127.0.0.1:9\nservices = local\n"
            + "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:9\n[plugins]\ncli_legacy_plugin_path = /x\n[sso-session corp]\n[profile keys-only]\n";

        Assert.Equal(text, CredentialFreeConfig.Filter(text));
    }

    [Fact]
    public void A_removed_keys_continuation_lines_go_with_it_through_blank_and_comment_lines()
    {
        // configparser would join "  --profile x" to region if the key line alone were removed.
        var text = "[default]\nregion = eu-west-1\ncredential_process =\n  /bin/fetch\n\n  # still the value\n  --profile x\nretry_mode = standard\n";

        Assert.Equal("[default]\nregion = eu-west-1\nretry_mode = standard\n", CredentialFreeConfig.Filter(text));
    }

    [Fact]
    public void Lines_that_end_in_a_lone_carriage_return_are_lines_too()
    {
        // Python's universal newlines and .NET's ReadLine split there; a filter that did not would keep the key.
        var text = "[default]\rregion = eu-west-1\raws_access_key_id = AKIAOLDMACLINES00001\raws_secret_access_key = s\r\noutput = json\r";

        Assert.Equal("[default]\rregion = eu-west-1\routput = json\r", CredentialFreeConfig.Filter(text));
    }

    [Fact]
    public void Keys_of_the_DEFAULT_section_before_any_header_and_under_a_nested_block_go_too()
    {
        var text = "aws_access_key_id = before-any-header\n[DEFAULT]\naws_secret_access_key = inherited-by-all\n[profile p]\ns3 =\n  role_arn = nested\n  addressing_style = path\n";

        Assert.Equal("[DEFAULT]\n[profile p]\ns3 =\n  addressing_style = path\n", CredentialFreeConfig.Filter(text));
    }

    [Fact]
    public void Keys_that_merely_start_like_one_or_hold_one_in_their_value_stay()
    {
        var text = "[default]\nregion = us-east-1\nsdk_ua_app_id = aws_access_key_id\ns3_use_arn_region = true\nsourceprofile_note = kept\n";

        Assert.Equal(text, CredentialFreeConfig.Filter(text));
    }

    [Fact]
    public void The_copies_hold_no_credentials_are_owner_only_and_are_gone_afterwards_and_the_users_files_are_untouched()
    {
        var config = Write("config", "[default]\nregion = eu-west-1\ncredential_process = /bin/false\n[profile dev]\nsso_session = corp\nregion = us-west-2\n");
        var credentials = Write("credentials", "[default]\naws_access_key_id = AKIAUSERSOWNKEY00001\naws_secret_access_key = users-own-secret\n");
        var boto = Write("boto", "[Credentials]\naws_access_key_id = AKIABOTO\naws_secret_access_key = boto-secret\n[Boto]\nhttps_validate_certificates = True\n");
        var before = Fingerprint(config, credentials, boto);

        string[] copies;
        using (var files = ChildProfileFiles.Create(new[] { config, credentials, boto }))
        {
            copies = new[] { files.Variables["AWS_CONFIG_FILE"]!, files.Variables["AWS_SHARED_CREDENTIALS_FILE"]!, files.Variables["BOTO_CONFIG"]! };
            Assert.Equal("[default]\nregion = eu-west-1\n[profile dev]\nregion = us-west-2\n", File.ReadAllText(copies[0]));
            Assert.Equal("[default]\n", File.ReadAllText(copies[1]));
            Assert.Equal("[Credentials]\n[Boto]\nhttps_validate_certificates = True\n", File.ReadAllText(copies[2]));
            Assert.All(copies, copy => Assert.Equal(Path.GetDirectoryName(copies[0]), Path.GetDirectoryName(copy)));
            if (!OperatingSystem.IsWindows())
            {
                foreach (var copy in copies)
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));
                }

                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(copies[0])!));
            }
        }

        Assert.All(copies, copy => Assert.False(File.Exists(copy), $"{copy} must be removed"));
        Assert.Equal(before, Fingerprint(config, credentials, boto));
    }

    [Fact]
    public void A_missing_file_a_fifo_or_a_directory_gives_an_empty_copy_at_once()
    {
        var fifo = Path.Combine(_directory.FullName, "fifo");
        if (!OperatingSystem.IsWindows())
        {
            UnixTestFiles.MakeFifo(fifo);
        }

        using var files = ChildProfileFiles.Create(new[] { Path.Combine(_directory.FullName, "none"), fifo, _directory.FullName });

        Assert.All(files.Variables.Values, copy => Assert.Equal(string.Empty, File.ReadAllText(copy!)));
    }

    [Fact]
    public void A_directory_someone_else_took_first_is_passed_over_for_a_new_one_of_ours_and_nothing_is_written_into_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the temporary folder is the user's own there
        }

        // Another local user plants a link where the directory would be (any user can, in /tmp).
        var trap = Directory.CreateDirectory(Path.Combine(_directory.FullName, "trap")).FullName;
        var preferred = Path.Combine(_directory.FullName, "altimeter-test");
        File.CreateSymbolicLink(preferred, trap);
        var config = Write("config", "[default]\nregion = eu-west-1\n");

        using (var files = ChildProfileFiles.Create(new[] { config, config, config }, preferred))
        {
            Assert.StartsWith(preferred + "-", files.DirectoryPath, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(files.DirectoryPath));
            Assert.Equal("[default]\nregion = eu-west-1\n", File.ReadAllText(files.Variables["AWS_CONFIG_FILE"]!));
            using var again = ChildProfileFiles.Create(new[] { config, config, config }, preferred);
            Assert.Equal(files.DirectoryPath, again.DirectoryPath);
        }

        Assert.Empty(Directory.GetFileSystemEntries(trap));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Fingerprint(params string[] paths) =>
        string.Join(";", paths.Select(path => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))) + "@" + File.GetLastWriteTimeUtc(path).Ticks));
}
