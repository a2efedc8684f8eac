# Helpers for the Docker labs: Recipe 2 (dockerd alone in netns dkhost, client netns dkext; tests/lab/dockerd) and
# Recipe 1 (the systemd-nspawn Docker host with systemd, firewalld and dockerd; tests/lab/nspawn), in one of three
# generations (Recipe 1b, tests/lab/nspawn/lib.sh): bookworm (machine dkbook, client netns dkbext: the default),
# trixie (dktrixie, dktext) and docker28 (dkdocker28, dkd28x), each with its own names so that they run side by side.
# Both run the module in a child pwsh inside the lab and read its output back as JSON.

Import-Module (Join-Path $PSScriptRoot 'LabPwsh.psm1')
$script:DockerdDir = Join-Path $PSScriptRoot 'dockerd'
$script:NspawnDir = Join-Path $PSScriptRoot 'nspawn'
$script:DkRoot = '/tmp/dkdocker'
# What lib.sh names per generation (the shell scripts are the source; these are what the tests need).
$script:Generations = [ordered]@{
    bookworm = @{ NsDir = '/tmp/dknspawn'; ExtNs = 'dkbext'; Machine = 'dkbook'; Systemd = 252; Firewalld = '1.3.3'; Docker = '20.10.24' }
    trixie   = @{ NsDir = '/tmp/dknspawn-trixie'; ExtNs = 'dktext'; Machine = 'dktrixie'; Systemd = 257; Firewalld = '2.3.1'; Docker = '26.1.5' }
    docker28 = @{ NsDir = '/tmp/dknspawn-docker28'; ExtNs = 'dkd28x'; Machine = 'dkdocker28'; Systemd = 257; Firewalld = '2.5.2'; Docker = '28.5.2' }
}

function Invoke-DockerLabScript([string] $Path, [string[]] $Arguments = @()) {
    $out = & bash $Path @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$Path failed (exit $LASTEXITCODE):`n$($out -join "`n")" }
    $out
}

function Start-DockerdLab {
    <# Brings Recipe 2 up: dockerd in dkhost, registry dkreg published on 5000. -Legacy puts Docker's rules in iptables-legacy. #>
    param([switch] $Legacy)
    Invoke-DockerLabScript (Join-Path $DockerdDir 'up.sh') @(if ($Legacy) { '--legacy' }) | Out-Null
    [pscustomobject]@{ Kind = 'Netns'; Socket = "$DkRoot/docker.sock"; HostIp = '198.51.100.1'; ExtNs = 'dkext'; Dir = $DkRoot }
}

function Stop-DockerdLab { & bash (Join-Path $DockerdDir 'down.sh') *> $null }

function Get-NspawnLabGeneration {
    <#
        The generations a lab test file runs on, for BeforeDiscovery: DHT_LAB_GENERATIONS (comma or space separated,
        e.g. 'trixie,docker28' or 'all'), every generation when unset (CI runs the whole matrix), in the order bookworm, trixie,
        docker28. Returns
        hashtables @{ Generation = NAME; ... } for Pester's -ForEach (the keys become variables in the block).
    #>
    param([string] $List = $env:DHT_LAB_GENERATIONS)
    $names = if (-not $List -or $List -eq 'all') { @($Generations.Keys) } else { @($List -split '[,\s]+' | Where-Object { $_ }) }
    foreach ($n in $names) {
        if (-not $Generations.Contains($n)) { throw "Unknown lab generation '$n' (DHT_LAB_GENERATIONS): bookworm, trixie or docker28." }
        $g = $Generations[$n]
        @{ Generation = $n; Systemd = $g.Systemd; Firewalld = $g.Firewalld; Docker = $g.Docker }
    }
}

function New-NspawnLabObject([string] $Generation) {
    $g = $Generations[$Generation]
    [pscustomobject]@{
        Kind = 'Machine'; Generation = $Generation; Socket = '/run/docker.sock'; HostIp = '198.51.100.10'; HostIp6 = '2001:db8:100::10'; ExtNs = $g.ExtNs
        Dir = "$($g.NsDir)/xfer"; Machine = $g.Machine; ExtNetnsInside = "/run/$($g.ExtNs).netns"
        Systemd = $g.Systemd; Firewalld = $g.Firewalld; Docker = $g.Docker
    }
}

function Start-NspawnLab {
    <#
        Brings Recipe 1 up for one generation or several (builds a tree when missing, reuses it when built), with the
        .NET runtime, pwsh and the assembled module bound in. -Generation defaults to DHT_LAB_GENERATION, else
        bookworm. Several generations boot side by side (their up.sh runs at once); one lab object each, in order.
    #>
    param([ValidateSet('bookworm', 'trixie', 'docker28')] [string[]] $Generation = $(if ($env:DHT_LAB_GENERATION) { $env:DHT_LAB_GENERATION } else { 'bookworm' }))
    $pwshDir = Split-Path ([Environment]::GetCommandLineArgs()[0])
    $moduleDir = Split-Path $env:DHT_MODULE_PATH
    $up = Join-Path $NspawnDir 'up.sh'
    if ($Generation.Count -eq 1) {
        $env:GEN = $Generation[0]
        try { Invoke-DockerLabScript $up @($moduleDir, $pwshDir) | Out-Null } finally { Remove-Item Env:GEN }
    }
    else {
        $procs = foreach ($g in $Generation) {
            $psi = [System.Diagnostics.ProcessStartInfo]::new('bash')
            foreach ($a in @($up, $moduleDir, $pwshDir)) { $psi.ArgumentList.Add($a) }
            $psi.Environment['GEN'] = $g
            $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
            $p = [System.Diagnostics.Process]::Start($psi)
            [pscustomobject]@{ Generation = $g; Process = $p; Out = $p.StandardOutput.ReadToEndAsync(); Err = $p.StandardError.ReadToEndAsync() }
        }
        $failed = foreach ($p in $procs) {
            $p.Process.WaitForExit()
            if ($p.Process.ExitCode -ne 0) { "$($p.Generation): up.sh failed (exit $($p.Process.ExitCode)):`n$($p.Out.Result)$($p.Err.Result)" }
        }
        if ($failed) { throw ($failed -join "`n") }
    }
    foreach ($g in $Generation) { New-NspawnLabObject $g }
}

function Stop-NspawnLab {
    <# Powers the machine of one generation (or of a lab object) off and removes its namespaces; the tree stays. #>
    param([Parameter(ValueFromPipeline)] $Lab, [string] $Generation)
    process {
        $g = if ($Lab) { $Lab.Generation } elseif ($Generation) { $Generation } elseif ($env:DHT_LAB_GENERATION) { $env:DHT_LAB_GENERATION } else { 'bookworm' }
        & env "GEN=$g" bash (Join-Path $NspawnDir 'down.sh') *> $null
    }
}

function Invoke-NspawnExec {
    <#
        Runs a program inside the generation's nspawn machine (dk-nsexec.sh); returns its output and leaves
        $LASTEXITCODE as the program's; never throws (Invoke-DockerLabHost does).
    #>
    param($Lab)
    [string[]] $Command = @($args | ForEach-Object { $_ })
    & env "GEN=$($Lab.Generation)" bash (Join-Path $NspawnDir 'dk-nsexec.sh') @Command
}

function Invoke-DockerLabHost {
    <#
        Runs a program on the lab's Docker host (the dkhost netns, or inside the nspawn machine); returns its output,
        throws on failure. A simple function on purpose: arguments such as -D or -t go to the program, not to PowerShell.
    #>
    param($Lab)
    [string[]] $Command = @($args | ForEach-Object { $_ })
    $out = if ($Lab.Kind -eq 'Netns') { & ip netns exec dkhost @Command 2>&1 } else { Invoke-NspawnExec $Lab @Command 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "'$($Command -join ' ')' on the lab host failed (exit $LASTEXITCODE): $($out -join "`n")" }
    $out
}

function Invoke-NspawnNetworkRestart {
    <#
        Inside the nspawn machine, a transient unit does what CentOS's network initscript does on restart: ip_forward to 0,
        then the net.* keys of the sysctl files applied again in their order (kernel.* keys are the machine's, read-only).
    #>
    param([Parameter(Mandatory)] [string] $Unit, $Lab = (New-NspawnLabObject 'bookworm'))
    $reapply = 'sysctl -q -w net.ipv4.ip_forward=0; cat $(ls /usr/lib/sysctl.d/*.conf /etc/sysctl.d/*.conf 2>/dev/null | awk -F/ "{print \$NF, \$0}" | sort | cut -d" " -f2) /etc/sysctl.conf 2>/dev/null | grep "^net\." | sysctl -q -p /dev/stdin'
    $out = Invoke-NspawnExec $Lab systemd-run "--unit=$Unit" --wait --quiet sh -c $reapply 2>&1
    if ($LASTEXITCODE -ne 0) { throw "The network-style reset failed (exit $LASTEXITCODE): $($out -join "`n")" }
}

function Invoke-DockerLabDocker {
    <# Runs the docker CLI against the lab's engine (a simple function: every argument goes to docker). #>
    param($Lab)
    [string[]] $Arguments = $args
    if ($Lab.Kind -eq 'Netns') { $out = & docker -H "unix://$($Lab.Socket)" @Arguments 2>&1 }
    else { $out = Invoke-NspawnExec $Lab docker @Arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) { throw "docker $($Arguments -join ' ') failed (exit $LASTEXITCODE): $($out -join "`n")" }
    $out
}

function Get-DockerLabHttpCode {
    <# GET http://HOST:PORT/v2/ from the outside namespace; '000' when nothing answered. -IPv6: http://[HOST6]:PORT/v2/ (the nspawn lab's IPv6 link). #>
    param([Parameter(Mandatory)] $Lab, [int] $Port = 5000, [switch] $IPv6)
    $url = if ($IPv6) { "http://[$($Lab.HostIp6)]:$Port/v2/" } else { "http://$($Lab.HostIp):$Port/v2/" }
    $code = & ip netns exec $Lab.ExtNs curl -s -g -m 3 -o /dev/null -w '%{http_code}' $url 2>$null
    if (-not $code) { '000' } else { "$code" }
}

function Wait-DockerLabHttpCode {
    <# Polls until the outside namespace gets $Code (at most $Seconds); returns the last code seen. #>
    param([Parameter(Mandatory)] $Lab, [string] $Code = '200', [int] $Port = 5000, [int] $Seconds = 20, [switch] $IPv6)
    $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
    do {
        $c = Get-DockerLabHttpCode $Lab -Port $Port -IPv6:$IPv6
        if ($c -eq $Code) { return $c }
        Start-Sleep -Milliseconds 250
    } while ([DateTime]::UtcNow -lt $deadline)
    $c
}

function Invoke-DockerLabPwsh {
    <#
        Runs a script block in a child pwsh on the lab's Docker host with the assembled module imported; returns
        [pscustomobject]@{ Output; Errors; Warnings } read back from JSON (enums as words).
        -User (Recipe 2 only) runs it as that user, with copies of pwsh and the module it can read (LabPwsh.psm1's one runner).
    #>
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [scriptblock] $ScriptBlock, [object[]] $ArgumentList = @(), [string] $User, [string[]] $Wrap = @())
    if ($User -and $Lab.Kind -ne 'Netns') { throw '-User works on the Recipe 2 lab only.' }
    # -Wrap: a command prefix inside the lab host before pwsh (unshare -m ... for a fault in the child's own mount namespace).
    $run = @{ WorkRoot = $Lab.Dir; ScriptBlock = $ScriptBlock; ArgumentList = $ArgumentList; User = $User; Wrap = $Wrap }
    if ($Lab.Kind -eq 'Netns') {
        Invoke-LabPwshRun @run -Enter @('ip', 'netns', 'exec', 'dkhost')
    }
    else {
        # The machine sees the work folder at /dkx, the module at /dk/module, pwsh at /dk/pwsh and the host's .NET.
        Invoke-LabPwshRun @run -Enter @('env', "GEN=$($Lab.Generation)", 'bash', (Join-Path $NspawnDir 'dk-nsexec.sh')) -InsideRoot '/dkx' `
            -ModulePath ('/dk/module/' + (Split-Path $env:DHT_MODULE_PATH -Leaf)) `
            -PwshDll ('/dk/pwsh/' + (Split-Path ([Environment]::GetCommandLineArgs()[0]) -Leaf)) -Dotnet '/usr/share/dotnet/dotnet'
    }
}

Export-ModuleMember -Function Start-DockerdLab, Stop-DockerdLab, Get-NspawnLabGeneration, Start-NspawnLab, Stop-NspawnLab, Invoke-NspawnExec, Invoke-DockerLabHost, Invoke-DockerLabDocker, Invoke-NspawnNetworkRestart,
    Get-DockerLabHttpCode, Wait-DockerLabHttpCode, Invoke-DockerLabPwsh
