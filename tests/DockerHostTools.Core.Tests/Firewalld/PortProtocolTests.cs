using DockerHostTools.Core.Firewalld;

namespace DockerHostTools.Core.Tests.Firewalld;

// A port that names its protocol (5000/udp) and a -Protocol: the same is fine, two different ones are an error.
public class PortProtocolTests
{
    [Theory]
    [InlineData("5000/tcp", "udp", FirewalldInputError.ConflictingProtocol)]
    [InlineData("5000/UDP", "tcp", FirewalldInputError.ConflictingProtocol)]
    [InlineData("5000/foo", "tcp", FirewalldInputError.InvalidProtocol)]
    [InlineData("5000/tcp", "xyz", FirewalldInputError.InvalidProtocol)]
    public void A_port_that_names_another_protocol_than_the_one_given_is_an_error(string port, string protocol, FirewalldInputError error)
    {
        var ex = Assert.Throws<FirewalldInputException>(() => FirewalldPortSpec.Parse(port, protocol));
        Assert.Equal(error, ex.Error);
        Assert.DoesNotContain("Nothing was changed", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5000/udp", null, "udp")]
    [InlineData("5000/udp", "UDP", "udp")]
    [InlineData("5000", null, "tcp")]
    [InlineData("5000", "sctp", "sctp")]
    public void The_protocol_once_or_twice_the_same_is_fine(string port, string? protocol, string expected) =>
        Assert.Equal(expected, FirewalldPortSpec.Parse(port, protocol).Protocol);
}
