//! `clc-sandbox`: starts the emulator. Run with `--help` for the options.

use clc_sandbox::http::Static;
use clc_sandbox::world::{default_seed, Faults, Seed, World};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const HELP: &str = "clc-sandbox: a local CenturyLink Cloud API v2 emulator

USAGE: clc-sandbox [OPTIONS]

  --port N              port on 127.0.0.1 (default 8787; 0 lets the OS pick)
  --host ADDR           address to listen on (default 127.0.0.1)
  --www DIR             serve the demo page from DIR at /
  --pkg DIR             serve the npm package from DIR at /pkg/
  --seed FILE           load the accounts from FILE instead of the built-in fixture
  --token-ttl-secs N    token lifetime (default 1209600, two weeks)
  --job-ms N            how long jobs take (default 4000)
  --latency-ms N        delay added to every /v2 request (default 0)
  --error-rate F        share of /v2 requests answered with a 5xx (default 0)
  --allow-origin ORIGIN allow this CORS origin (repeatable; default: any origin)
  --isolate             make served pages cross-origin isolated (COOP + COEP on every answer)
  --lifetime SECS       exit after SECS seconds (default: run until Ctrl-C)
  --help                this text

Faults can also be changed while running: PUT /sandbox/faults; POST /sandbox/reset restores the fixture.";

struct Options {
    host: String,
    port: u16,
    statics: Static,
    seed: Option<PathBuf>,
    token_ttl: u64,
    faults: Faults,
    lifetime: Option<u64>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        host: "127.0.0.1".into(),
        port: 8787,
        statics: Static::default(),
        seed: None,
        token_ttl: 14 * 24 * 3600,
        faults: Faults::none(4000),
        lifetime: None,
    };
    fn number<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
        value
            .as_deref()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{flag} needs a number"))
    }
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--port" => options.port = number(&flag, args.next())?,
            "--host" => options.host = args.next().ok_or("--host needs an address")?,
            "--www" => {
                options.statics.www = Some(args.next().ok_or("--www needs a folder")?.into())
            }
            "--pkg" => {
                options.statics.pkg = Some(args.next().ok_or("--pkg needs a folder")?.into())
            }
            "--seed" => options.seed = Some(args.next().ok_or("--seed needs a file")?.into()),
            "--token-ttl-secs" => options.token_ttl = number(&flag, args.next())?,
            "--job-ms" => options.faults.job_ms = number(&flag, args.next())?,
            "--latency-ms" => options.faults.latency_ms = number(&flag, args.next())?,
            "--error-rate" => {
                let rate: f64 = number(&flag, args.next())?;
                if !(0.0..=1.0).contains(&rate) {
                    return Err("--error-rate must be from 0 to 1".into());
                }
                options.faults.error_rate = rate;
            }
            "--allow-origin" => options
                .statics
                .allow_origins
                .push(args.next().ok_or("--allow-origin needs an origin")?),
            "--isolate" => options.statics.isolate = true,
            "--lifetime" => options.lifetime = Some(number(&flag, args.next())?),
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

fn load_seed(path: &Option<PathBuf>) -> Result<Seed, String> {
    let Some(path) = path else {
        return Ok(default_seed());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not a valid seed: {e}", path.display()))
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) if message.is_empty() => {
            println!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("clc-sandbox: {message}\n\n{HELP}");
            return ExitCode::from(2);
        }
    };
    let seed = match load_seed(&options.seed) {
        Ok(seed) => seed,
        Err(message) => {
            eprintln!("clc-sandbox: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("clc-sandbox: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options, seed)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("clc-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options, seed: Seed) -> std::io::Result<()> {
    let listener = clc_sandbox::listen(&options.host, options.port).await?;
    let addr = listener.local_addr()?;
    let credentials: Vec<String> = seed
        .accounts
        .iter()
        .flat_map(|a| {
            a.users
                .iter()
                .map(|u| format!("{} / {}", u.username, u.password))
        })
        .collect();
    // The first line is read by scripts: keep its shape.
    println!("clc-sandbox listening on http://{addr}");
    println!(
        "  demo credentials (user / password): {}",
        credentials.join(", ")
    );
    if options.statics.www.is_some() {
        println!("  demo page: http://{addr}/");
    }
    let world = World::new(
        seed,
        Duration::from_secs(options.token_ttl),
        options.faults,
        clc_sandbox::start_now(),
    );
    let lifetime = options.lifetime;
    let shutdown = async move {
        let lifetime = async {
            match lifetime {
                Some(secs) => tokio::time::sleep(Duration::from_secs(secs)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => println!("clc-sandbox: stopping (Ctrl-C)"),
            _ = lifetime => println!("clc-sandbox: stopping (lifetime over)"),
        }
    };
    clc_sandbox::serve(listener, world, &options.statics, shutdown).await
}
