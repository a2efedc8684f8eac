using System.Management.Automation;
using DockerHostTools.Core.Firewalld;

namespace DockerHostTools.Commands;

/// <summary>The port and protocol parameters of the commands about one firewalld port, and their parsing.</summary>
public abstract class FirewalldPortCommand : DockerHostCmdlet
{
    /// <summary>The port or range (<c>5000</c>, <c>8000-8010</c>, or <c>5000/udp</c>).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PublicPort")]
    [ValidateNotNullOrEmpty]
    public string Port { get; set; } = string.Empty;

    /// <summary>tcp (default), udp, sctp or dccp.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Type")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.PortProtocolCompleter))]
    public string Protocol { get; set; } = "tcp";

    /// <summary>The port spec of this pipeline item; null (the error written) when it is not valid.</summary>
    private protected FirewalldPortSpec? ParseSpec()
    {
        try
        {
            return FirewalldPortSpec.Parse(Port, Protocol);
        }
        catch (FirewalldInputException ex)
        {
            WriteError(FirewalldCommandSupport.ToFirewalldError(ex, ex.Value)!);
            return null;
        }
    }
}
