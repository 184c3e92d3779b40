//! Where a client is: an ISO country code and, when known, a city.

use std::fmt;

/// An ISO 3166-1 alpha-2 country code, upper case ("US").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CountryCode([u8; 2]);

/// Why a string is not a country code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an ISO 3166-1 alpha-2 country code")]
pub struct InvalidCountryCode;

impl CountryCode {
    /// Parses two ASCII letters, in any case.
    ///
    /// # Errors
    /// [`InvalidCountryCode`] unless the text is exactly two ASCII letters.
    pub fn parse(raw: &str) -> Result<Self, InvalidCountryCode> {
        match raw.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(InvalidCountryCode),
        }
    }

    /// The two upper-case letters.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resolved location, displayed "City, CC" or "CC".
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    city: Option<String>,
    country: CountryCode,
}

impl Location {
    /// A location in a country, with an optional city name (blank names are dropped).
    pub fn new(country: CountryCode, city: Option<String>) -> Self {
        let city = city
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty());
        Self { city, country }
    }

    /// Reads back the display form ("New York, US" or "US"); `None` when it has no valid
    /// country code at its end.
    pub fn parse_display(display: &str) -> Option<Self> {
        match display.rsplit_once(", ") {
            Some((city, country)) => Some(Self::new(
                CountryCode::parse(country).ok()?,
                Some(city.to_owned()),
            )),
            None => Some(Self::new(CountryCode::parse(display).ok()?, None)),
        }
    }

    /// The country.
    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// The city, when known.
    pub fn city(&self) -> Option<&str> {
        self.city.as_deref()
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.city {
            Some(city) => write!(f, "{city}, {}", self.country),
            None => write!(f, "{}", self.country),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_displays_city_and_country() {
        let us = CountryCode::parse("us").unwrap();
        assert_eq!(
            Location::new(us, Some("New York".into())).to_string(),
            "New York, US"
        );
        assert_eq!(Location::new(us, None).to_string(), "US");
        assert_eq!(Location::new(us, Some("  ".into())).to_string(), "US");
    }

    #[test]
    fn the_display_form_reads_back_to_the_same_location() {
        for display in ["New York, US", "US", "Washington, D.C., US"] {
            let location = Location::parse_display(display).unwrap();
            assert_eq!(location.to_string(), display);
        }
        assert_eq!(
            Location::parse_display("Washington, D.C., US")
                .unwrap()
                .city(),
            Some("Washington, D.C.")
        );
    }

    #[test]
    fn a_country_code_is_two_letters() {
        assert!(CountryCode::parse("USA").is_err());
        assert!(CountryCode::parse("U1").is_err());
        assert!(CountryCode::parse("").is_err());
        assert!(Location::parse_display("Nowhere").is_none());
    }
}
