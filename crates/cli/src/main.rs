//! The `lawdesk` binary: runs the web app and the administrative and capability commands.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::net::SocketAddr;

mod bench;
mod billing;
mod config;
mod delegation;
mod docket;
mod intake;
mod loadtest;
mod review;
mod search;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "lawdesk",
    version,
    about = "Self-hosted legal support: matters, work routing, review, docketing, billing.",
    long_about = "Self-hosted legal support: matters, work routing, review, docketing, billing.\n\n\
        Start with `lawdesk serve --demo` and open http://127.0.0.1:8080/.\n\
        Settings come from command-line flags, then LAWDESK_* environment variables, then the\n\
        configuration file (<data dir>/lawdesk.toml, or --config), then the defaults."
)]
pub(crate) struct Cli {
    /// Folder for the embedded database, stored files and lawdesk.toml.
    #[arg(long, global = true, env = "LAWDESK_DATA_DIR", default_value = "./lawdesk-data")]
    pub(crate) data_dir: PathBuf,
    /// Use PostgreSQL instead of the embedded SQLite database (postgres://user@host/db).
    #[arg(long, global = true, env = "LAWDESK_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
    /// Configuration file [default: <data dir>/lawdesk.toml when it exists].
    #[arg(long, global = true, env = "LAWDESK_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Where files go: s3://bucket/prefix (credentials from AWS_* variables) or a folder
    /// [default: <data dir>/blobs].
    #[arg(long, global = true, env = "LAWDESK_BLOB_STORE")]
    pub(crate) blob_store: Option<String>,
    #[command(subcommand)]
    command: Command,
}

/// Settings resolved from flags, environment, configuration file and defaults.
pub(crate) struct Settings {
    pub config: config::Config,
    pub config_path: Option<PathBuf>,
    pub database_url: Option<String>,
    pub blob_store: Option<String>,
}

impl Cli {
    /// Flags and environment first, then the configuration file.
    pub(crate) fn settings(&self) -> Result<Settings> {
        let (config, config_path) = config::Config::load(self.config.as_deref(), &self.data_dir)?;
        Ok(Settings {
            database_url: self.database_url.clone().or_else(|| config.database_url.clone()),
            blob_store: self.blob_store.clone().or_else(|| config.blob_store.clone()),
            config,
            config_path,
        })
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app (creates the database and a first administrator on first run).
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "LAWDESK_LISTEN")]
        listen: Option<SocketAddr>,
        /// Load the demo firm first (only into an empty database).
        #[arg(long)]
        demo: bool,
        /// Mark session cookies Secure (set when lawdesk is served behind TLS).
        #[arg(long, env = "LAWDESK_SECURE_COOKIES")]
        secure_cookies: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load the demo firm into an empty database.
    Demo,
    /// User administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Import contacts or matters from CSV (Clio export columns are understood).
    Import {
        #[arg(value_parser = ["contacts", "matters"])]
        what: String,
        file: PathBuf,
        /// The administrator or attorney the import is recorded as (default: the first administrator).
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Export contacts or matters as CSV to standard output.
    Export {
        #[arg(value_parser = ["contacts", "matters"])]
        what: String,
    },
    /// Write a consistent backup (database and files) while the server runs.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into an empty data folder or database.
    Restore { file: PathBuf },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Court-rule deadlines and the calendar.
    Docket {
        #[command(subcommand)]
        command: docket::DocketCommand,
    },
    /// Recommend in-house, virtual assistant or LPO per service line for a workload profile.
    Advise(delegation::AdviseArgs),
    /// Billing: invoices, LEDES export and validation.
    Billing {
        #[command(subcommand)]
        command: billing::BillingCommand,
    },
    /// Conflict-of-interest checks.
    Conflicts {
        #[command(subcommand)]
        command: intake::ConflictsCommand,
    },
    /// Document review: collections, ingest, search.
    Review {
        #[command(subcommand)]
        command: review::ReviewCommand,
    },
    /// Benchmarks that print a table of measured figures.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user with a one-time password (an administrator unless --role says otherwise).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        #[arg(long, default_value = "admin")]
        role: String,
    },
    /// Set a new one-time password for a user.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; reports the first broken link.
    Verify,
}

pub(crate) fn spinner(msg: &str) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos}").expect("static template is valid"),
    );
    pb.set_message(msg.to_string());
    pb
}

pub(crate) async fn open(cli: &Cli) -> Result<app::App> {
    open_with(cli, &cli.settings()?).await
}

async fn open_with(cli: &Cli, settings: &Settings) -> Result<app::App> {
    let url = settings.database_url.as_deref();
    let mut store = store::Store::open(url, &cli.data_dir).await.with_context(|| {
        format!(
            "opening the database ({})",
            url.map_or_else(
                || cli.data_dir.join("lawdesk.db").display().to_string(),
                |_| "PostgreSQL".into()
            )
        )
    })?;
    if let Some(blobs) = &settings.blob_store {
        store = store.with_blobs(
            store::BlobStore::from_config(blobs)
                .with_context(|| format!("opening the blob store {blobs}"))?,
        );
    }
    Ok(app::App::new(store))
}

pub(crate) async fn actor_for(app: &app::App, email: Option<&str>) -> Result<domain::Actor> {
    let user = match email {
        Some(e) => app
            .store
            .user_for_sign_in(&e.to_lowercase())
            .await?
            .map(|r| r.user)
            .with_context(|| format!("no user {e}"))?,
        None => {
            let admins = app
                .users_with_roles(&[domain::Role::Admin])
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            admins
                .into_iter()
                .next()
                .context("no active administrator; run `lawdesk admin create --email …` first")?
        }
    };
    Ok(app::auth::actor_of(&user))
}

pub(crate) fn app_err(e: app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match &cli.command {
        Command::Serve { listen, demo, secure_cookies } => {
            let settings = cli.settings()?;
            let listen = listen.or(settings.config.listen).unwrap_or_else(|| {
                config::DEFAULT_LISTEN.parse().expect("the default address parses")
            });
            let secure_cookies = *secure_cookies || settings.config.secure_cookies;
            let app = open_with(&cli, &settings).await?;
            if let Some((user, pw)) =
                app.bootstrap_admin("admin@lawdesk.local").await.map_err(app_err)?
            {
                println!(
                    "First run: created administrator {} with one-time password {pw}",
                    user.email
                );
                // A commented example next to the data, so the settings are easy to discover.
                let example = cli.data_dir.join(config::FILE_NAME);
                if settings.config_path.is_none() && !example.exists() {
                    std::fs::write(&example, config::EXAMPLE)
                        .with_context(|| format!("writing {}", example.display()))?;
                    println!("Wrote an example configuration to {}", example.display());
                }
            }
            if *demo {
                load_demo(&app).await?;
            }
            println!(
                "lawdesk is running at http://{listen}/  (data: {}; files: {}{})",
                settings
                    .database_url
                    .as_deref()
                    .map_or_else(|| cli.data_dir.display().to_string(), |_| "PostgreSQL".into()),
                app.store.blobs().location(),
                settings
                    .config_path
                    .as_ref()
                    .map(|p| format!("; configuration: {}", p.display()))
                    .unwrap_or_default()
            );
            let _reminders = docket::spawn_dispatcher(&app);
            web::serve(app, listen, web::WebConfig { secure_cookies })
                .await
                .with_context(|| format!("serving on {listen}"))?;
        }
        Command::Migrate => {
            let app = open(&cli).await?;
            println!("database is at the latest schema ({:?})", app.store.backend());
        }
        Command::Demo => {
            let app = open(&cli).await?;
            load_demo(&app).await?;
        }
        Command::Admin { command } => {
            let app = open(&cli).await?;
            match command {
                AdminCommand::Create { email, name, role } => {
                    let (user, pw) = if app.store.count_users().await? == 0 && role == "admin" {
                        let (u, pw) = app
                            .bootstrap_admin(email)
                            .await
                            .map_err(app_err)?
                            .context("bootstrap")?;
                        (u, pw)
                    } else {
                        let actor = actor_for(&app, None).await?;
                        app.create_user(
                            &actor,
                            &app::NewUser {
                                email: email.clone(),
                                display_name: name.clone(),
                                role: role.clone(),
                                organization_id: None,
                            },
                        )
                        .await
                        .map_err(app_err)?
                    };
                    println!(
                        "created {} ({}) with one-time password {pw}",
                        user.email,
                        user.role.label()
                    );
                }
                AdminCommand::ResetPassword { email } => {
                    let actor = actor_for(&app, None).await?;
                    let user = app
                        .store
                        .user_for_sign_in(&email.to_lowercase())
                        .await?
                        .with_context(|| format!("no user {email}"))?;
                    let pw = app.reset_password(&actor, user.user.id).await.map_err(app_err)?;
                    println!("new one-time password for {email}: {pw}");
                }
            }
        }
        Command::Import { what, file, as_user } => {
            let app = open(&cli).await?;
            let actor = actor_for(&app, as_user.as_deref()).await?;
            let data =
                std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
            let rows = data.iter().filter(|b| **b == b'\n').count() as u64;
            let pb = ProgressBar::new(rows.max(1));
            pb.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} rows {msg}")
                    .expect("static template is valid"),
            );
            let report = match what.as_str() {
                "contacts" => {
                    app.import_contacts(&actor, &data, |line| pb.set_position(line)).await
                }
                _ => app.import_matters(&actor, &data, |line| pb.set_position(line)).await,
            }
            .map_err(app_err)?;
            pb.finish_and_clear();
            println!("imported {} {what}; {} rows skipped", report.imported, report.errors.len());
            for (line, msg) in &report.errors {
                println!("  line {line}: {msg}");
            }
        }
        Command::Export { what } => {
            let app = open(&cli).await?;
            let actor = actor_for(&app, None).await?;
            export(&app, &actor, what).await?;
        }
        Command::Backup { out } => {
            let app = open(&cli).await?;
            let pb = spinner("backing up");
            let m = app
                .store
                .backup(out, chrono::Utc::now(), |table, n| {
                    pb.set_message(format!("{table}: {n} rows"))
                })
                .await?;
            pb.finish_and_clear();
            let rows: u64 = m.tables.iter().map(|(_, n)| n).sum();
            println!(
                "backup written to {} ({rows} rows in {} tables, {} files)",
                out.display(),
                m.tables.len(),
                m.blobs
            );
        }
        Command::Restore { file } => {
            let app = open(&cli).await?;
            let pb = spinner("restoring");
            let m = app
                .store
                .restore(file, |table, n| pb.set_message(format!("{table}: {n} rows")))
                .await?;
            pb.finish_and_clear();
            println!("restored backup of {} ({} files)", m.created_at, m.blobs);
            verify(&app).await?;
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let app = open(&cli).await?;
            verify(&app).await?;
        }
        Command::Docket { command } => docket::run(&cli, command).await?,
        Command::Advise(args) => delegation::advise(&cli, args).await?,
        Command::Billing { command } => billing::run(&cli, command).await?,
        Command::Conflicts { command } => intake::run(&cli, command).await?,
        Command::Review { command } => review::run(&cli, command).await?,
        Command::Bench { command } => bench::run(&cli, command).await?,
    }
    Ok(())
}

async fn load_demo(app: &app::App) -> Result<()> {
    let s = app.load_demo().await.map_err(app_err)?;
    println!(
        "Loaded the demo firm: {} matters, {} work items. Demo users (password {}):",
        s.matters,
        s.work_items,
        app::demo::DEMO_PASSWORD
    );
    for (email, role) in s.users {
        println!("  {email:<24} {}", role.label());
    }
    Ok(())
}

async fn verify(app: &app::App) -> Result<()> {
    match app.store.verify_audit().await? {
        store::AuditVerification::Intact { entries } => {
            println!("audit log intact: {entries} entries verified");
            Ok(())
        }
        store::AuditVerification::Broken { seq, reason } => {
            bail!("audit log BROKEN at entry {seq}: {reason}")
        }
    }
}

async fn export(app: &app::App, actor: &domain::Actor, what: &str) -> Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    let mut page = 1;
    if what == "contacts" {
        w.write_record([
            "Id",
            "Type",
            "Name",
            "Aliases",
            "Former Names",
            "Email",
            "Phone",
            "Address",
        ])?;
        loop {
            let (rows, more) = app
                .list_contacts(actor, None, None, store::Page::new(page, 200))
                .await
                .map_err(app_err)?;
            for c in rows {
                w.write_record([
                    c.id.to_string(),
                    c.kind.as_str().into(),
                    c.name,
                    c.aliases.join("; "),
                    c.former_names.join("; "),
                    c.emails.join("; "),
                    c.phones.join("; "),
                    c.addresses.join("; "),
                ])?;
            }
            if !more {
                break;
            }
            page += 1;
        }
    } else {
        w.write_record([
            "Id",
            "Matter Number",
            "Description",
            "Client",
            "Practice Area",
            "Court",
            "Case Number",
            "Status",
            "Open Date",
            "Onshore Only",
        ])?;
        loop {
            let (rows, more) = app
                .list_matters(actor, &Default::default(), store::Page::new(page, 200))
                .await
                .map_err(app_err)?;
            for r in rows {
                let m = r.matter;
                w.write_record([
                    m.id.to_string(),
                    m.number,
                    m.title,
                    r.client_name,
                    m.practice_area,
                    m.court,
                    m.case_number,
                    m.status.as_str().into(),
                    m.opened_on.to_string(),
                    m.onshore_only.to_string(),
                ])?;
            }
            if !more {
                break;
            }
            page += 1;
        }
    }
    w.flush()?;
    Ok(())
}
