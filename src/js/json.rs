//! [`Json`] for the values of the browser's `JSON.parse` (and for what callers pass in): the core checks and
//! reads answers through this, so the wasm needs neither a JSON parser nor a serde deserializer.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::json::Json;

fn is_plain_object(value: &JsValue) -> bool {
    value.is_object() && !Array::is_array(value)
}

impl Json for JsValue {
    fn text(&self) -> Option<String> {
        self.as_string()
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }

    fn is_null(&self) -> bool {
        self.is_null() || self.is_undefined()
    }

    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(self).then(|| self.unchecked_ref::<Array>().iter().collect())
    }

    fn keys(&self) -> Option<Vec<String>> {
        is_plain_object(self).then(|| {
            Object::keys(self.unchecked_ref::<Object>())
                .iter()
                .filter_map(|key| key.as_string())
                .collect()
        })
    }

    fn field(&self, key: &str) -> Option<Self> {
        if !is_plain_object(self) {
            return None;
        }
        // A getter that throws reads as absent; `undefined` is what JSON calls absent.
        Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|value| !value.is_undefined())
    }

    fn fill_empty_array(&self, key: &str) {
        let _ = Reflect::set(self, &JsValue::from_str(key), &Array::new());
    }
}
