using DockerHostTools.Core.Registry;
using Xunit;

namespace DockerHostTools.Core.Tests.Registry;

public class RegistryEndpointTests
{
    [Theory]
    [InlineData("registry.example", "registry.example", 5000, null)]
    [InlineData("  registry.example  ", "registry.example", 5000, null)]
    [InlineData("registry.example:443", "registry.example", 443, null)]
    [InlineData("localhost", "localhost", 5000, null)]
    [InlineData("reg-1.lab.example:65535", "reg-1.lab.example", 65535, null)]
    [InlineData("198.51.100.10", "198.51.100.10", 5000, null)]
    [InlineData("198.51.100.10:1", "198.51.100.10", 1, null)]
    [InlineData("[2001:db8::1]:5001", "2001:db8::1", 5001, null)]
    [InlineData("[2001:db8::1]", "2001:db8::1", 5000, null)]
    [InlineData("2001:db8::1", "2001:db8::1", 5000, null)]
    [InlineData("::1", "::1", 5000, null)]
    [InlineData("[fe80::1%eth0]:5000", "fe80::1%eth0", 5000, null)]
    [InlineData("http://registry.example:8080", "registry.example", 8080, RegistryScheme.Http)]
    [InlineData("https://registry.example", "registry.example", 5000, RegistryScheme.Https)]
    [InlineData("HTTPS://registry.example:5443/", "registry.example", 5443, RegistryScheme.Https)]
    [InlineData("https://registry.example:5443/v2/", "registry.example", 5443, RegistryScheme.Https)]
    [InlineData("http://[2001:db8::2]:5000", "2001:db8::2", 5000, RegistryScheme.Http)]
    [InlineData("http://198.51.100.10", "198.51.100.10", 5000, RegistryScheme.Http)]
    [InlineData("registry.example:05000", "registry.example", 5000, null)]
    public void ParsesValidForms(string text, string host, int port, RegistryScheme? scheme)
    {
        var endpoint = RegistryEndpoint.Parse(text);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(scheme, endpoint.Scheme);
        Assert.Equal(text.Trim(), endpoint.Text);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData(null, "empty")]
    [InlineData(":5000", "host is empty")]
    [InlineData("registry.example:", "port after ':' is empty")]
    [InlineData("registry.example:0", "not from 1 to 65535")]
    [InlineData("registry.example:65536", "not from 1 to 65535")]
    [InlineData("registry.example:99999999999", "not a number")]
    [InlineData("registry.example:-1", "not a number")]
    [InlineData("registry.example:50a", "not a number")]
    [InlineData("registry.example: 5000", "space")]
    [InlineData("registry.example:+5000", "not a number")]
    [InlineData("2001:db8::1:5000:x", "brackets")]
    [InlineData("[2001:db8::1", "no ']'")]
    [InlineData("[2001:db8::1]5000", "is not ':port'")]
    [InlineData("[198.51.100.10]:5000", "not an IPv6 address")]
    [InlineData("[]:5000", "not an IPv6 address")]
    [InlineData("ftp://registry.example", "scheme 'ftp'")]
    [InlineData("://registry.example", "scheme ''")]
    [InlineData("https://", "host is empty")]
    [InlineData("https://registry.example/v2/_catalog", "path")]
    [InlineData("https://user:secret@registry.example", "-Credential")]
    [InlineData("user@registry.example", "-Credential")]
    [InlineData("reg istry", "space")]
    [InlineData("registry.example/path", "slash")]
    [InlineData("registry.example?x", "'?'")]
    [InlineData("under_score!.example", "not a host name")]
    [InlineData("999.1.1.1", "not a valid IPv4")]
    [InlineData("198.51.100", "not a valid IPv4")]
    [InlineData("a:b:c", "brackets")]
    [InlineData("::1:5000", "[::1]:5000")]
    [InlineData("2001:db8::1:5000", "[2001:db8::1]:5000")]
    public void RejectsMalformedInputWithAReason(string? text, string reason)
    {
        Assert.False(RegistryEndpoint.TryParse(text, out var endpoint, out var error));
        Assert.Null(endpoint);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains("is not a registry endpoint", error, StringComparison.Ordinal);
        var ex = Assert.Throws<ArgumentException>(() => RegistryEndpoint.Parse(text));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorForUserInfoDoesNotEchoThePassword()
    {
        Assert.False(RegistryEndpoint.TryParse("https://user:secret@registry.example", out _, out var error));
        Assert.Contains("user information is not allowed", error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error, StringComparison.Ordinal);
        Assert.Contains("'https://***@registry.example'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://user:secret@registry.example:5000", "https://***@registry.example:5000")]
    [InlineData("user:secret@registry.example", "***@registry.example")]
    [InlineData("registry.example:5000", "registry.example:5000")]
    [InlineData(null, "")]
    public void RedactHidesUserInformation(string? text, string expected)
    {
        Assert.Equal(expected, RegistryEndpoint.Redact(text));
    }

    [Theory]
    [InlineData("198.51.100.10", 5000, "198.51.100.10:5000")]
    [InlineData("registry.example", 443, "registry.example:443")]
    [InlineData("2001:db8::1", 5000, "[2001:db8::1]:5000")]
    [InlineData("[2001:db8::1]", 5001, "[2001:db8::1]:5001")]
    [InlineData(" host.example ", 1, "host.example:1")]
    public void FromHostAndPortBuildsTheSameShape(string host, int port, string text)
    {
        var endpoint = RegistryEndpoint.FromHostAndPort(host, port);
        Assert.Equal(text, endpoint.Text);
        Assert.Equal(text, endpoint.Authority);
        Assert.Equal(port, endpoint.Port);
        Assert.Null(endpoint.Scheme);
    }

    [Theory]
    [InlineData("", 5000)]
    [InlineData(null, 5000)]
    [InlineData("host.example", 0)]
    [InlineData("host.example", 70000)]
    [InlineData("bad host", 5000)]
    public void FromHostAndPortRejectsBadInput(string? host, int port) =>
        Assert.Throws<ArgumentException>(() => RegistryEndpoint.FromHostAndPort(host, port));

    [Fact]
    public void AddressIsSetOnlyForLiterals()
    {
        Assert.NotNull(RegistryEndpoint.Parse("198.51.100.10").Address);
        Assert.NotNull(RegistryEndpoint.Parse("[2001:db8::1]:1").Address);
        Assert.Null(RegistryEndpoint.Parse("registry.example").Address);
    }

    [Fact]
    public void AuthorityBracketsIPv6()
    {
        Assert.Equal("[2001:db8::1]:5000", RegistryEndpoint.Parse("2001:db8::1").Authority);
        Assert.Equal("registry.example:5000", RegistryEndpoint.Parse("https://registry.example").Authority);
    }

    [Fact]
    public void ProberRejectsBadOptions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegistryProber(new RegistryProbeOptions { ThrottleLimit = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegistryProber(new RegistryProbeOptions { Timeout = TimeSpan.Zero }));
        Assert.Throws<ArgumentNullException>(() => new RegistryProber(null!));
    }

    [Fact]
    public async Task ProbeHonoursCancellationBeforeStarting()
    {
        using var prober = new RegistryProber(new RegistryProbeOptions());
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => prober.ProbeAsync(RegistryEndpoint.Parse("198.51.100.10"), cts.Token));
    }

    /// <summary>Issue 13, defect 9: "::1:5000" is also "[::1]:5000"; the parser refuses to guess.</summary>
    [Fact]
    public void Defect9_AmbiguousBareIpv6WithPortIsInvalidEndpoint()
    {
        Assert.False(RegistryEndpoint.TryParse("::1:5000", out _, out var error));
        Assert.Contains("brackets", error, StringComparison.Ordinal);
        Assert.True(RegistryEndpoint.TryParse("[::1]:5000", out var e, out _));
        Assert.Equal(("::1", 5000), (e!.Host, e.Port));
    }

    /// <summary>Issue 13, defect 9: a 263-character host is InvalidEndpoint, not a probe that fails later.</summary>
    [Theory]
    [InlineData(263)]
    [InlineData(254)]
    public void Defect9_OverlongHostIsInvalidEndpoint(int length)
    {
        var labels = string.Join('.', Enumerable.Repeat(new string('a', 50), 6));
        var host = labels[..length];
        Assert.False(RegistryEndpoint.TryParse(host + ":5000", out _, out var error));
        Assert.Contains("at most 253", error, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RegistryEndpoint.FromHostAndPort(host, 5000));
    }

    [Fact]
    public void Defect9_OverlongLabelIsInvalidEndpoint()
    {
        Assert.False(RegistryEndpoint.TryParse(new string('a', 64) + ".example", out _, out var error));
        Assert.Contains("63", error, StringComparison.Ordinal);
    }
}
