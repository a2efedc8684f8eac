using System.Management.Automation;
using DockerHostTools.Core.Docker;
using DockerHostTools.Core.Iptables;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Shows Docker's iptables chains in every iptables variant that holds rules, and its ip6tables chains where it keeps IPv6 rules: whether each exists, what jumps into it, its rule count, and the FORWARD policy.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DockerChain", HelpUri = ProjectInfo.HelpBase + "Get-DockerChain.md")]
[OutputType(typeof(DockerChainState))]
public sealed class GetDockerChainCommand : DockerCommandBase
{
    /// <summary>Only this variant.</summary>
    [Parameter]
    public IptablesVariant? Variant { get; set; }

    /// <summary>Only this family: IPv4 (iptables) or IPv6 (ip6tables).</summary>
    [Parameter]
    public Core.Sysctl.IpFamily? Family { get; set; }

    /// <summary>The Docker socket asked for the engine version (28.x adds chains).</summary>
    [Parameter]
    [ValidateHostPath(Absolute = true)]
    public string Socket { get; set; } = DockerEngineClient.DefaultSocket;

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var snapshot = ReadIptables();
        int? major = null;
        using (var engine = new DockerEngineClient(Socket, TimeSpan.FromSeconds(5)) { Log = ReadLog })
        {
            try
            {
                major = Await(engine.GetVersionAsync).Major;
            }
            catch (DockerEngineUnavailableException ex)
            {
                WriteVerbose($"Engine version unknown ({ex.Message}); the 28.x chains are expected only where they exist.");
            }
        }

        WarnAboutVariants(snapshot);
        if (snapshot.IPv6Problem is { } problem6)
        {
            WriteVerbose($"ip6tables not read: {problem6}");
        }

        // IPv4 first, then ip6tables where Docker keeps IPv6 rules (Family IPv6).
        foreach (var chain in snapshot.DockerChains(major).Concat(snapshot.DockerChains6WhereUsed(major))
            .Where(c => (Variant is null || c.Variant == Variant) && (Family is null || c.Family == Family)))
        {
            WriteObject(chain);
        }
    }
}
