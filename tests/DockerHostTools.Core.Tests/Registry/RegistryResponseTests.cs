using System.Net;
using DockerHostTools.Core.Registry;
using Xunit;

namespace DockerHostTools.Core.Tests.Registry;

/// <summary>
/// How answers to GET /v2/ are judged, on response heads captured with curl from the real programs in the registry
/// lab (Debian docker-registry 2.8.2, busybox 1.35.0 httpd). Note the real header spelling: Docker-Distribution-Api-Version.
/// </summary>
public class RegistryResponseTests
{
    private static HttpResponseMessage Load(string tool, string name)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", tool, name));
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent([]) };
        foreach (var line in lines.Skip(1).TakeWhile(l => l.Length > 0))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (key, value) = (line[..colon], line[(colon + 1)..].Trim());
            if (!response.Headers.TryAddWithoutValidation(key, value))
            {
                response.Content.Headers.TryAddWithoutValidation(key, value);
            }
        }

        return response;
    }

    private static RegistryProbeResult Judge(string tool, string name, bool credentials = false)
    {
        using var response = Load(tool, name);
        var endpoint = RegistryEndpoint.Parse("198.51.100.10:5000");
        var result = new RegistryProbeResult(endpoint);
        RegistryProber.Classify(response, endpoint, "HTTP", credentials, result);
        return result;
    }

    [Fact]
    public void OpenRegistryIsReachable()
    {
        var r = Judge("docker-registry", "2.8.2-v2-open-200.txt");
        Assert.Equal(RegistryProbeOutcome.Reachable, r.Outcome);
        Assert.Equal(200, r.HttpStatus);
        Assert.Equal("registry/2.0", r.ApiVersion);
        Assert.True(r.Success);
    }

    [Fact]
    public void HtpasswdRegistryWithoutCredentialsIsAuthRequired()
    {
        var r = Judge("docker-registry", "2.8.2-v2-htpasswd-401.txt");
        Assert.Equal(RegistryProbeOutcome.AuthRequired, r.Outcome);
        Assert.Equal(401, r.HttpStatus);
        Assert.Equal("registry/2.0", r.ApiVersion);
        Assert.Contains("requires authentication", r.Message, StringComparison.Ordinal);
        Assert.True(r.Success);
    }

    [Fact]
    public void HtpasswdRegistryRejectingCredentialsSaysSo()
    {
        var r = Judge("docker-registry", "2.8.2-v2-htpasswd-401.txt", credentials: true);
        Assert.Equal(RegistryProbeOutcome.AuthRequired, r.Outcome);
        Assert.Contains("rejected the credentials", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HtpasswdRegistryAcceptingCredentialsIsReachable() =>
        Assert.Equal(RegistryProbeOutcome.Reachable, Judge("docker-registry", "2.8.2-v2-htpasswd-login-200.txt", credentials: true).Outcome);

    [Fact]
    public void PlainHttpToTheTlsPortIsNotARegistry()
    {
        var r = Judge("docker-registry", "2.8.2-tls-port-plain-http-400.txt");
        Assert.Equal(RegistryProbeOutcome.NotARegistry, r.Outcome);
        Assert.Equal(400, r.HttpStatus);
        Assert.Null(r.ApiVersion);
    }

    [Fact]
    public void WebServerWithoutTheHeaderIsNotARegistry()
    {
        var r = Judge("busybox-httpd", "1.35.0-v2-404.txt");
        Assert.Equal(RegistryProbeOutcome.NotARegistry, r.Outcome);
        Assert.Equal(404, r.HttpStatus);
        Assert.Contains("Docker-Distribution-API-Version", r.Message, StringComparison.Ordinal);
        Assert.False(r.Success);
    }
}
