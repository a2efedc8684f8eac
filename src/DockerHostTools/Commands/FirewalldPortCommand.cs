using System.Management.Automation;
using DockerHostTools.Core.Firewalld;

namespace DockerHostTools.Commands;

/// <summary>The port and protocol parameters of the commands about firewalld ports, and their parsing.</summary>
public abstract class FirewalldPortCommand : DockerHostCmdlet
{
    /// <summary>What the port commands take from the pipeline, for the error about an object they cannot use.</summary>
    private const string Expected =
        "port numbers or ranges (5000, 8000-8010, 5000/udp), or objects with a Port (or PublicPort) property and optionally Protocol and Zone";

    /// <summary>The ports or ranges (<c>5000</c>, <c>8000-8010</c>, <c>5000/udp</c>); each one is its own item.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PublicPort")]
    [ValidateNotNullOrEmpty]
    [PipelineInput("Port", "PublicPort")]
    public string[] Port { get; set; } = [];

    /// <summary>tcp (default), udp, sctp or dccp; a port that names another protocol (<c>5000/udp -Protocol tcp</c>) is an error.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Type")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.PortProtocolCompleter))]
    public string Protocol { get; set; } = "tcp";

    /// <summary>True for the commands that change firewalld: their input errors say that nothing was changed.</summary>
    private protected virtual bool Changes => false;

    /// <summary>
    /// The port specs of this pipeline item with the text the user typed for each; a port that is not valid gets its own
    /// non-terminating error (the target is the text typed) and the others go on.
    /// </summary>
    private protected List<(string Typed, FirewalldPortSpec Spec)> ParseSpecs()
    {
        var specs = new List<(string, FirewalldPortSpec)>();
        if (PipelineInput.Original(Port) is { } original)
        {
            WriteError(PipelineInput.NotRecognized(original, MyInvocation.MyCommand.Name, Expected, "Port"));
            return specs;
        }

        // -Protocol (typed or bound by property name) is checked against a port's own /protocol; the default is not.
        var protocol = MyInvocation.BoundParameters.ContainsKey(nameof(Protocol)) ? Protocol : null;
        foreach (var typed in Port)
        {
            try
            {
                specs.Add((typed, FirewalldPortSpec.Parse(typed, protocol)));
            }
            catch (FirewalldInputException ex)
            {
                // The target is what the user named: the -Protocol text when that is what is wrong, else the port as typed.
                WriteError(InputError(ex, ex.Error == FirewalldInputError.InvalidProtocol && string.Equals(ex.Value, protocol, StringComparison.Ordinal) ? protocol : typed));
            }
        }

        return specs;
    }

    /// <summary>The error for bad input; a changing command adds that nothing was changed.</summary>
    private protected ErrorRecord InputError(FirewalldInputException exception, object? target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var error = FirewalldCommandSupport.ToFirewalldError(exception, target)!;
        if (Changes && !exception.Message.Contains("Nothing was changed.", StringComparison.Ordinal))
        {
            error.ErrorDetails = new ErrorDetails(exception.Message.TrimEnd() + " Nothing was changed.");
        }

        return error;
    }
}
